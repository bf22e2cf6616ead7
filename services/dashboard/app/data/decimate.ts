/**
 * Min/max decimation of aligned curves for drawing: when there are more x values than `buckets` × 2, each
 * bucket of consecutive x keeps two x (its first and last) and, per series, the bucket's min and max in the
 * order they occur. With a bucket no wider than a pixel column the picture is the same as drawing every point
 * (spikes included), at a cost linear in the points and independent of how long the sweep has run.
 * (The snapshot's curves are LTTB'd by the server; this bounds what live appends add on top.)
 */
export function decimate(
  data: readonly [ArrayLike<number>, ...ArrayLike<number | null>[]],
  buckets: number,
): [ArrayLike<number>, ...ArrayLike<number | null>[]] {
  const [x, ...ys] = data;
  const n = x.length;
  if (n <= buckets * 2 || buckets < 1) return [x, ...ys];
  const outX = new Float64Array(buckets * 2);
  const outYs = ys.map(() => new Array<number | null>(buckets * 2).fill(null));
  let k = 0;
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets); // exclusive
    if (hi <= lo) continue;
    outX[k] = x[lo]!;
    outX[k + 1] = x[hi - 1]!;
    for (let s = 0; s < ys.length; s++) {
      const y = ys[s]!;
      let min: number | null = null;
      let max: number | null = null;
      let minAt = -1;
      let maxAt = -1;
      for (let i = lo; i < hi; i++) {
        const v = y[i];
        if (v === null || v === undefined || Number.isNaN(v)) continue;
        if (min === null || v < min) {
          min = v;
          minAt = i;
        }
        if (max === null || v > max) {
          max = v;
          maxAt = i;
        }
      }
      const out = outYs[s]!;
      if (min === null) continue;
      // Keep the order of occurrence so a falling curve stays falling within the bucket.
      out[k] = minAt <= maxAt ? min : max;
      out[k + 1] = minAt <= maxAt ? max : min;
    }
    k += 2;
  }
  return [outX.subarray(0, k), ...outYs.map((o) => o.slice(0, k))];
}
