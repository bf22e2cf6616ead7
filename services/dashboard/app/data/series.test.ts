import { describe, expect, it } from 'vitest';
import { alignSeries, Series } from './series';

describe('Series', () => {
  it('appends in order and grows past its capacity without losing points', () => {
    const s = new Series(2);
    for (let i = 0; i < 1000; i++) s.append(i, i * 2);
    expect(s.length).toBe(1000);
    expect(s.stepView()[999]).toBe(999);
    expect(s.valueView()[500]).toBe(1000);
  });

  it('is idempotent on step: a repeated point changes nothing, a new value overwrites', () => {
    const s = Series.from([1, 2, 3], [10, 20, 30]);
    const v = s.version;
    expect(s.append(2, 20)).toBe(false);
    expect(s.version).toBe(v);
    expect(s.append(2, 21)).toBe(true);
    expect([...s.valueView()]).toEqual([10, 21, 30]);
  });

  it('inserts a late, older step in order (a redelivered batch after a newer one)', () => {
    const s = Series.from([1, 4], [1, 4]);
    s.append(2, 2);
    s.append(0, 0);
    expect([...s.stepView()]).toEqual([0, 1, 2, 4]);
    expect([...s.valueView()]).toEqual([0, 1, 2, 4]);
  });

  it('merges a downsampled snapshot curve with the live points that follow it', () => {
    const s = Series.from([0, 10, 20], [1, 0.5, 0.25]);
    for (const step of [21, 22, 23]) s.append(step, 0.2);
    expect(s.lastStep).toBe(23);
    expect(s.length).toBe(6);
  });
});

describe('alignSeries', () => {
  it('uses the typed arrays as they are when every curve has the same steps', () => {
    const a = Series.from([1, 2], [5, 6]);
    const b = Series.from([1, 2], [7, 8]);
    const [x, ya, yb] = alignSeries([a, b]);
    expect(x).toBeInstanceOf(Float64Array);
    expect([...(x as Float64Array)]).toEqual([1, 2]);
    expect([...(ya as Float64Array)]).toEqual([5, 6]);
    expect([...(yb as Float64Array)]).toEqual([7, 8]);
  });

  it('aligns on the union of steps with null gaps', () => {
    const a = Series.from([1, 3], [10, 30]);
    const b = Series.from([2, 3, 4], [20, 31, 40]);
    const [x, ya, yb] = alignSeries([a, b]);
    expect([...(x as Float64Array)]).toEqual([1, 2, 3, 4]);
    expect(ya).toEqual([10, null, 30, null]);
    expect(yb).toEqual([null, 20, 31, 40]);
  });
});
