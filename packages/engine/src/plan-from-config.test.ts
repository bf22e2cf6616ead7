import { describe, expect, it } from 'vitest';
import { resolveSweepSeed } from './plan-from-config';

describe('resolveSweepSeed', () => {
  const fresh = () => 99;

  it('takes the flag over the config seed over a fresh draw', () => {
    expect(resolveSweepSeed(1, 2, fresh)).toBe(1);
    expect(resolveSweepSeed(undefined, 2, fresh)).toBe(2);
    expect(resolveSweepSeed(undefined, undefined, fresh)).toBe(99);
  });

  it('keeps a seed of 0 and draws only when nothing is set', () => {
    let draws = 0;
    const counted = () => ++draws;
    expect(resolveSweepSeed(0, 5, counted)).toBe(0);
    expect(resolveSweepSeed(undefined, 0, counted)).toBe(0);
    expect(draws).toBe(0);
  });
});
