import { describe, expect, it } from 'vitest';
import { decimate } from './decimate';

describe('decimate', () => {
  it('leaves small data alone', () => {
    const x = Float64Array.from([1, 2, 3]);
    const y = Float64Array.from([4, 5, 6]);
    const [dx, dy] = decimate([x, y], 10);
    expect(dx).toBe(x);
    expect(dy).toBe(y);
  });

  it('keeps each bucket’s min and max, in order, so spikes survive', () => {
    const n = 100_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => (i === 54_321 ? 100 : 1 / (i + 1)));
    const [dx, dy] = decimate([x, y], 500);
    expect(dx.length).toBe(1000);
    expect(Math.max(...(dy as number[]).map((v) => v ?? 0))).toBe(100);
    expect(dx[0]).toBe(0);
    expect(dx[dx.length - 1]).toBe(n - 1);
    // A falling curve stays falling: within the first bucket, max (first) then min.
    expect(dy![0]).toBe(1);
    expect(dy![1]).toBeLessThan(1);
  });

  it('handles gaps (null) per series', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i);
    const a = [1, null, 3, null, 5, null, 7, null, 9, null];
    const b = [null, null, null, null, null, null, null, null, null, null];
    const [, da, db] = decimate([x, a, b], 2);
    expect(da).toEqual([1, 5, 7, 9]);
    expect(db).toEqual([null, null, null, null]);
  });
});
