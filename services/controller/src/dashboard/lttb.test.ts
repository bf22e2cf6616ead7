import { describe, expect, it } from 'vitest';
import { lttb, lttbIndices } from './lttb';

/** LTTB written the slow, obvious way from the paper (points as objects, buckets as arrays) to check against. */
function reference(points: Array<{ x: number; y: number }>, threshold: number): Array<{ x: number; y: number }> {
  if (threshold >= points.length) return points;
  const middle = points.slice(1, -1);
  const buckets: Array<typeof points> = [];
  const size = middle.length / (threshold - 2);
  for (let b = 0; b < threshold - 2; b++) {
    buckets.push(middle.slice(Math.floor(b * size), Math.floor((b + 1) * size)));
  }
  const out = [points[0]!];
  for (let b = 0; b < buckets.length; b++) {
    const next = b + 1 < buckets.length ? buckets[b + 1]! : [points[points.length - 1]!];
    const avg = {
      x: next.reduce((s, p) => s + p.x, 0) / next.length,
      y: next.reduce((s, p) => s + p.y, 0) / next.length,
    };
    const a = out[out.length - 1]!;
    const area = (p: { x: number; y: number }) =>
      Math.abs((a.x - avg.x) * (p.y - a.y) - (a.x - p.x) * (avg.y - a.y)) / 2;
    let best = buckets[b]![0]!;
    for (const p of buckets[b]!) if (area(p) > area(best)) best = p;
    out.push(best);
  }
  out.push(points[points.length - 1]!);
  return out;
}

function noisyCurve(n: number, seed: number): Array<{ x: number; y: number }> {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: n }, (_, i) => ({ x: i * 2, y: Math.exp(-i / 50) + 0.1 * rand() }));
}

describe('lttb', () => {
  it('keeps the first and the last point and returns exactly `threshold` points', () => {
    const pts = noisyCurve(1000, 1);
    for (const threshold of [3, 10, 200, 999]) {
      const idx = lttbIndices(
        pts.map((p) => p.x),
        pts.map((p) => p.y),
        threshold,
      );
      expect(idx).toHaveLength(threshold);
      expect(idx[0]).toBe(0);
      expect(idx[idx.length - 1]).toBe(999);
      for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
    }
  });

  it('matches a brute-force LTTB', () => {
    for (const [n, threshold, seed] of [
      [1000, 200, 1],
      [1001, 7, 2],
      [57, 13, 3],
      [5000, 200, 4],
    ] as const) {
      const pts = noisyCurve(n, seed);
      const got = lttb(
        pts.map((p) => p.x),
        pts.map((p) => p.y),
        threshold,
      );
      const want = reference(pts, threshold);
      expect(got.steps).toEqual(want.map((p) => p.x));
      expect(got.values).toEqual(want.map((p) => p.y));
    }
  });

  it('keeps a spike an even stride would miss', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const ys = xs.map((i) => (i === 517 ? 100 : 0));
    expect(lttbIndices(xs, ys, 20)).toContain(517);
  });

  it('returns short curves whole, handles thresholds 1 and 2, and drops non-finite values', () => {
    expect(lttbIndices([1, 2, 3], [1, 2, 3], 10)).toEqual([0, 1, 2]);
    expect(lttbIndices([1, 2, 3], [1, 2, 3], 1)).toEqual([2]);
    expect(lttbIndices([1, 2, 3], [1, 2, 3], 2)).toEqual([0, 2]);
    expect(lttb([0, 1, 2, 3], [1, Number.NaN, Number.POSITIVE_INFINITY, 4], 10)).toEqual({
      steps: [0, 3],
      values: [1, 4],
    });
    expect(() => lttbIndices([1], [1], 0)).toThrow(RangeError);
  });
});
