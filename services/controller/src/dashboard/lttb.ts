/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013): keeps the first and the last point and, in
 * each of `threshold - 2` equal buckets between them, the point that forms the largest triangle with the point
 * kept before it and the mean of the next bucket. Unlike an even stride it keeps spikes and drops, which is
 * what a learning curve must not lose. Written here rather than taken from npm: the packages there work on
 * arrays of `[x, y]` objects (we hold parallel arrays), are unmaintained, or pull in a charting library;
 * this is 40 lines over the arrays we already have.
 *
 * Returns the indices kept (ascending). `xs` must be ascending; values must be finite (filter them first).
 */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = Math.min(xs.length, ys.length);
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`threshold must be ≥ 1, got ${threshold}`);
  if (threshold >= n) return Array.from({ length: n }, (_, i) => i);
  if (threshold === 1) return [n - 1];
  if (threshold === 2) return [0, n - 1];
  const out: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // The next bucket's mean (the last bucket's "next" is the final point).
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[j]!;
      avgY += ys[j]!;
    }
    const len = nextEnd - nextStart;
    avgX /= len;
    avgY /= len;
    // This bucket: the point with the largest triangle (a, candidate, next mean).
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const ax = xs[a]!;
    const ay = ys[a]!;
    let maxArea = -1;
    let chosen = start;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (ys[j]! - ay) - (ax - xs[j]!) * (avgY - ay));
      if (area > maxArea) {
        maxArea = area;
        chosen = j;
      }
    }
    out.push(chosen);
    a = chosen;
  }
  out.push(n - 1);
  return out;
}

/** A curve downsampled with LTTB; non-finite values (NaN, ±Infinity) are dropped first (charts cannot draw them). */
export function lttb(
  steps: readonly number[],
  values: readonly number[],
  threshold: number,
): { steps: number[]; values: number[] } {
  let xs = steps;
  let ys = values;
  if (!values.every(Number.isFinite)) {
    const keep = values.flatMap((v, i) => (Number.isFinite(v) ? [i] : []));
    xs = keep.map((i) => steps[i]!);
    ys = keep.map((i) => values[i]!);
  }
  const idx = lttbIndices(xs, ys, threshold);
  if (idx.length === xs.length) return { steps: xs.slice(), values: ys.slice() };
  return { steps: idx.map((i) => xs[i]!), values: idx.map((i) => ys[i]!) };
}
