/**
 * Makes objective values (to be minimized) easier for a GP: measure them from the best, in units of their
 * median distance from it, then a Yeo-Johnson power transform with λ fitted by maximum likelihood (as
 * HEBO does), then standardize. Monotone, so the best point stays the best. Scaling by the median rather
 * than the standard deviation matters: with Rosenbrock's 10⁶ next to 10⁻¹, standardizing first would
 * squeeze every good value into one number that no power transform can spread again.
 */
export function warpOutputs(y: Float64Array): Float64Array {
  let min = Number.POSITIVE_INFINITY;
  for (const v of y) min = Math.min(min, v);
  const offsets = Float64Array.from(y, (v) => v - min).sort();
  let scale = offsets[Math.floor(offsets.length / 2)] ?? 0;
  if (!(scale > 0)) scale = offsets[offsets.length - 1] ?? 0;
  if (!(scale > 0)) return new Float64Array(y.length);
  const z = Float64Array.from(y, (v) => (v - min) / scale);
  const lambda = fitYeoJohnson(z);
  const w = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) w[i] = yeoJohnson(z[i]!, lambda);
  return standardize(w);
}

export function standardize(y: Float64Array): Float64Array {
  const n = y.length;
  let mean = 0;
  for (const v of y) mean += v;
  mean /= Math.max(1, n);
  let variance = 0;
  for (const v of y) variance += (v - mean) ** 2;
  const sd = Math.sqrt(variance / Math.max(1, n));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sd > 1e-300 ? (y[i]! - mean) / sd : 0;
  return out;
}

export function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) return Math.abs(lambda) < 1e-8 ? Math.log1p(x) : ((1 + x) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-8 ? -Math.log1p(-x) : -((1 - x) ** (2 - lambda) - 1) / (2 - lambda);
}

function logLikelihood(x: Float64Array, lambda: number): number {
  const n = x.length;
  let mean = 0;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = yeoJohnson(x[i]!, lambda);
    mean += t[i]!;
  }
  mean /= n;
  let variance = 0;
  let jac = 0;
  for (let i = 0; i < n; i++) {
    variance += (t[i]! - mean) ** 2;
    jac += Math.sign(x[i]!) * Math.log1p(Math.abs(x[i]!));
  }
  variance /= n;
  if (!(variance > 0) || !Number.isFinite(variance)) return Number.NEGATIVE_INFINITY;
  return -0.5 * n * Math.log(variance) + (lambda - 1) * jac;
}

/** Golden-section search for λ in [-2, 3] (the likelihood is unimodal in λ). */
export function fitYeoJohnson(x: Float64Array): number {
  if (x.length < 3) return 1;
  let a = -2;
  let b = 3;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = logLikelihood(x, c);
  let fd = logLikelihood(x, d);
  for (let i = 0; i < 40; i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = logLikelihood(x, c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = logLikelihood(x, d);
    }
  }
  return (a + b) / 2;
}
