import { normalCdf, normalQuantile } from '../numeric/normal';
import type { Rng } from '../rng';
import type { UnitSpace } from '../unit-space';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * A Parzen (kernel mixture) estimator over unit coordinates, Optuna-style: one component per observation
 * plus a prior component (uniform-ish: a wide normal at the centre, weight `priorWeight`). Numeric
 * coordinates use normals truncated to [0, 1]; categoricals a per-component distribution that puts the
 * observation's category ahead of a uniform share of the prior weight.
 */
export interface ParzenEstimator {
  sample(rng: Rng, out: Float64Array): void;
  /** log density at u, for the coordinates in `coords` (all when omitted). */
  logPdf(u: Float64Array, coords?: readonly number[]): number;
}

export interface ParzenOptions {
  priorWeight: number;
  /** One bandwidth per dimension for all components (Scott's rule) instead of Optuna's neighbour rule. */
  multivariate: boolean;
  /** Optuna's magic clip: bandwidths at least 1/min(100, 1+n). */
  magicClip: boolean;
  /**
   * Score with each numeric component weighted by its bandwidth (equal-height kernels), as Optuna 3.1's
   * sampler effectively does (its truncated-normal log density subtracts log σ twice). Sampling is unchanged.
   */
  bandwidthWeighted: boolean;
}

/** Optuna's neighbour-distance bandwidths (prior counted as a point at 0.5), clipped. */
function univariateSigmas(mus: number[], magicClip: boolean): number[] {
  const n = mus.length;
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sigmas = new Array<number>(n).fill(1);
  for (let r = 0; r < n; r++) {
    const left = r === 0 ? null : mus[order[r - 1]!]!;
    const right = r === n - 1 ? null : mus[order[r + 1]!]!;
    const mu = mus[order[r]!]!;
    const dl = left === null ? mu - 0 : mu - left;
    const dr = right === null ? 1 - mu : right - mu;
    sigmas[order[r]!] = left === null ? dr : right === null ? dl : Math.max(dl, dr);
  }
  const min = magicClip ? 1 / Math.min(100, 1 + n) : 1e-12;
  return sigmas.map((s) => Math.min(1, Math.max(min, s)));
}

export function createParzenEstimator(
  unit: UnitSpace,
  points: readonly Float64Array[],
  weights: readonly number[],
  opts: ParzenOptions,
): ParzenEstimator {
  const p = unit.coords.length;
  const m = points.length + 1; // last component = prior
  const w = [...weights, opts.priorWeight];
  const total = w.reduce((a, b) => a + b, 0);
  const logW = w.map((v) => Math.log(v / total));
  const cum: number[] = [];
  w.reduce((acc, v) => {
    cum.push((acc + v) / total);
    return acc + v;
  }, 0);
  const mus: number[][] = [];
  const sigmas: number[][] = [];
  const logNorm: number[][] = [];
  const scott = 0.2 * Math.max(points.length, 1) ** (-1 / (p + 4));
  for (let c = 0; c < p; c++) {
    const mu = [...points.map((pt) => pt[c]!), 0.5];
    let sigma: number[];
    if (opts.multivariate) {
      sigma = mu.map(() => scott);
    } else {
      // The prior takes part in the neighbour distances, as in Optuna.
      sigma = univariateSigmas(mu, opts.magicClip);
    }
    sigma[m - 1] = 1;
    mus.push(mu);
    sigmas.push(sigma);
    logNorm.push(mu.map((mk, k) => Math.log(normalCdf((1 - mk) / sigma[k]!) - normalCdf((0 - mk) / sigma[k]!))));
  }
  const sizes = unit.coords.map((coord) => (coord.kind === 'categorical' ? coord.values.length : 0));
  const category = (u: number, k: number) => Math.min(k - 1, Math.floor(u * k));
  const catLog = (c: number, comp: number, u: number) => {
    const k = sizes[c]!;
    if (comp === m - 1) return -Math.log(k);
    const hit = category(points[comp]![c]!, k) === category(u, k);
    const share = opts.priorWeight / k;
    return Math.log(((hit ? 1 : 0) + share) / (1 + opts.priorWeight));
  };
  const componentLog = (comp: number, c: number, u: number) => {
    if (sizes[c]! > 0) return catLog(c, comp, u);
    const s = sigmas[c]![comp]!;
    const z = (u - mus[c]![comp]!) / s;
    return -0.5 * z * z - LOG_SQRT_2PI - (opts.bandwidthWeighted ? 0 : Math.log(s)) - logNorm[c]![comp]!;
  };
  const pick = (rng: Rng) => {
    const r = rng();
    for (let k = 0; k < m; k++) if (r < cum[k]!) return k;
    return m - 1;
  };
  const sampleCoord = (comp: number, c: number, rng: Rng) => {
    const k = sizes[c]!;
    if (k > 0) {
      if (comp === m - 1) return rng();
      const own = category(points[comp]![c]!, k);
      const pOwn = (1 + opts.priorWeight / k) / (1 + opts.priorWeight);
      const chosen = rng() < pOwn ? own : Math.min(k - 1, Math.floor(rng() * k));
      return (chosen + 0.5) / k;
    }
    const mu = mus[c]![comp]!;
    const s = sigmas[c]![comp]!;
    const lo = normalCdf(-mu / s);
    const hi = normalCdf((1 - mu) / s);
    const x = mu + s * normalQuantile(lo + rng() * (hi - lo));
    return Math.min(1, Math.max(0, Number.isFinite(x) ? x : mu));
  };
  const logsumexp = (values: number[]) => {
    let max = Number.NEGATIVE_INFINITY;
    for (const v of values) max = Math.max(max, v);
    if (max === Number.NEGATIVE_INFINITY) return max;
    let s = 0;
    for (const v of values) s += Math.exp(v - max);
    return max + Math.log(s);
  };
  return {
    sample(rng, out) {
      if (opts.multivariate) {
        const comp = pick(rng);
        for (let c = 0; c < p; c++) out[c] = sampleCoord(comp, c, rng);
      } else {
        for (let c = 0; c < p; c++) out[c] = sampleCoord(pick(rng), c, rng);
      }
    },
    logPdf(u, coords) {
      const list = coords ?? unit.coords.map((_, c) => c);
      if (opts.multivariate) {
        const terms: number[] = [];
        for (let comp = 0; comp < m; comp++) {
          let s = logW[comp]!;
          for (const c of list) s += componentLog(comp, c, u[c]!);
          terms.push(s);
        }
        return logsumexp(terms);
      }
      let total = 0;
      for (const c of list) {
        const terms: number[] = [];
        for (let comp = 0; comp < m; comp++) terms.push(logW[comp]! + componentLog(comp, c, u[c]!));
        total += logsumexp(terms);
      }
      return total;
    },
  };
}
