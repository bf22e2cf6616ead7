import { describe, expect, it } from 'vitest';
import { downsample } from './downsample';

describe('downsample', () => {
  const xs = Array.from({ length: 1001 }, (_, i) => i);

  it('keeps first and last at an even stride', () => {
    expect(downsample(xs, 5)).toEqual([0, 250, 500, 750, 1000]);
    const out = downsample(xs, 100);
    expect(out).toHaveLength(100);
    expect(out[0]).toBe(0);
    expect(out[99]).toBe(1000);
    const gaps = out.slice(1).map((x, i) => x - out[i]!);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
  });

  it('returns everything when under the limit or unlimited, and copies', () => {
    expect(downsample([1, 2], 5)).toEqual([1, 2]);
    expect(downsample(xs, undefined)).not.toBe(xs);
    expect(downsample([], 3)).toEqual([]);
  });

  it('maxPoints 1 keeps the latest; non-positive or fractional limits are errors', () => {
    expect(downsample(xs, 1)).toEqual([1000]);
    expect(() => downsample(xs, 0)).toThrow(/maxPoints/);
    expect(() => downsample([], -1)).toThrow(/maxPoints/);
    expect(() => downsample(xs, 2.5)).toThrow(/maxPoints/);
  });
});
