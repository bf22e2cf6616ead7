import { describe, expect, it } from 'vitest';
import { DeltaHold } from './delta-hold';

describe('DeltaHold', () => {
  it('runs deltas at once when not joining, holds them during a join and replays them in order after', () => {
    const seen: string[] = [];
    const hold = new DeltaHold();
    hold.run(() => seen.push('live'));
    hold.hold();
    hold.run(() => seen.push('a'));
    hold.run(() => seen.push('b'));
    expect(seen).toEqual(['live']);
    seen.push('snapshot');
    hold.release();
    hold.run(() => seen.push('after'));
    expect(seen).toEqual(['live', 'snapshot', 'a', 'b', 'after']);
  });

  it('drops what it held when the join fails', () => {
    const seen: string[] = [];
    const hold = new DeltaHold();
    hold.hold();
    hold.run(() => seen.push('a'));
    hold.drop();
    hold.release();
    expect(seen).toEqual([]);
  });
});
