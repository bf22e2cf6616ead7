import { cholesky, choleskyInverse, solveLower, solveUpper } from '../numeric/cholesky';
import { minimizeLbfgs } from '../numeric/minimize-lbfgs';
import { normalLogPdf } from '../numeric/normal';
import type { Rng } from '../rng';
import { matern52 } from './matern52';

const SQRT5 = Math.sqrt(5);

/**
 * Inputs for a GP: n points of D features (row-major), targets y, and for each feature the length-scale
 * group it belongs to — one group per numeric parameter, one per categorical (its one-hot block shares a
 * length scale, so a categorical contributes a Hamming-like distance instead of ordinal positions).
 */
export interface GpData {
  x: Float64Array;
  y: Float64Array;
  n: number;
  dims: number;
  groups: Int32Array;
  groupCount: number;
}

/** Kernel hyperparameters in log space: θ = [log ℓ_1 … log ℓ_G, log σ², log σn²]. */
export type GpTheta = Float64Array;

/** Priors and bounds (inputs in [0, 1], y standardized). */
export function thetaBounds(groupCount: number): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(groupCount + 2);
  const upper = new Float64Array(groupCount + 2);
  lower.fill(Math.log(0.01), 0, groupCount);
  upper.fill(Math.log(100), 0, groupCount);
  lower[groupCount] = Math.log(0.05);
  upper[groupCount] = Math.log(20);
  lower[groupCount + 1] = Math.log(1e-6);
  upper[groupCount + 1] = Math.log(0.5);
  return { lower, upper };
}

// Length scales: the dimension-scaled log-normal prior of Hvarfner et al. (2024), which BoTorch adopted:
// longer scales as dimensions grow, so a handful of points does not produce an overfit, wiggly surface.
function lengthPrior(groupCount: number): { mu: number; sigma: number } {
  return { mu: Math.SQRT2 + 0.5 * Math.log(Math.max(1, groupCount)), sigma: Math.sqrt(3) };
}
const SIGNAL_PRIOR = { mu: 0, sigma: 1 };
// Benchmarks and most training metrics are nearly deterministic at fixed seed: favour little noise, let data say otherwise.
const NOISE_PRIOR = { mu: Math.log(1e-4), sigma: 3 };

/** Per pair (i > j) and group g, the unscaled squared distance s_g; pairs in row order. */
export function pairDistances(data: GpData): Float64Array {
  const { n, dims, groups, groupCount, x } = data;
  const out = new Float64Array(((n * (n - 1)) / 2) * groupCount);
  let p = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++, p += groupCount) {
      for (let f = 0; f < dims; f++) {
        const diff = x[i * dims + f]! - x[j * dims + f]!;
        out[p + groups[f]!] = out[p + groups[f]!]! + diff * diff;
      }
    }
  }
  return out;
}

/**
 * Negative log marginal likelihood minus log prior, and its gradient in θ:
 * NLL = ½ yᵀK⁻¹y + ½ log|K| + (n/2) log 2π;  ∂(−log p)/∂θ = −½ tr((ααᵀ − K⁻¹) ∂K/∂θ).
 */
export function negLogPosterior(
  data: GpData,
  dist: Float64Array,
  theta: GpTheta,
  grad: Float64Array | null,
  usePrior = true,
): number {
  const { n, groupCount: G, y } = data;
  const invL2 = new Float64Array(G);
  for (let g = 0; g < G; g++) invL2[g] = Math.exp(-2 * theta[g]!);
  const signal = Math.exp(theta[G]!);
  const noise = Math.exp(theta[G + 1]!);
  const k = new Float64Array(n * n);
  const slope = grad ? new Float64Array((n * (n - 1)) / 2) : null;
  let p = 0;
  for (let i = 0; i < n; i++) {
    k[i * n + i] = signal + noise;
    for (let j = 0; j < i; j++, p++) {
      let r2 = 0;
      const base = p * G;
      for (let g = 0; g < G; g++) r2 += dist[base + g]! * invL2[g]!;
      const r = Math.sqrt(r2);
      // One exp for both the kernel and its slope (this loop dominates the fit).
      const e = signal * Math.exp(-SQRT5 * r);
      const value = e * (1 + SQRT5 * r + (5 / 3) * r2);
      k[i * n + j] = value;
      k[j * n + i] = value;
      if (slope) slope[p] = e * (5 / 3) * (1 + SQRT5 * r);
    }
  }
  const { l } = cholesky(k, n);
  const alpha = solveUpper(l, n, solveLower(l, n, Float64Array.from(y)));
  let nll = 0.5 * n * Math.log(2 * Math.PI);
  for (let i = 0; i < n; i++) nll += 0.5 * y[i]! * alpha[i]! + Math.log(l[i * n + i]!);
  if (grad && slope) {
    grad.fill(0);
    const kinv = choleskyInverse(l, n);
    let q = 0;
    let gSignal = 0;
    let gNoise = 0;
    for (let i = 0; i < n; i++) {
      const wii = alpha[i]! * alpha[i]! - kinv[i * n + i]!;
      gSignal += 0.5 * wii * signal;
      gNoise += 0.5 * wii * noise;
      for (let j = 0; j < i; j++, q++) {
        const w = alpha[i]! * alpha[j]! - kinv[i * n + j]!;
        gSignal += w * k[i * n + j]!;
        const ws = w * slope[q]!;
        const base = q * G;
        for (let g = 0; g < G; g++) grad[g] = grad[g]! + ws * dist[base + g]! * invL2[g]!;
      }
    }
    // The formulas above are ∂(log p)/∂θ; we minimize the negative.
    for (let g = 0; g < G; g++) grad[g] = -grad[g]!;
    grad[G] = -gSignal;
    grad[G + 1] = -gNoise;
  }
  if (usePrior) {
    const lp = lengthPrior(G);
    for (let g = 0; g < G; g++) {
      nll -= normalLogPdf((theta[g]! - lp.mu) / lp.sigma);
      if (grad) grad[g] = grad[g]! + (theta[g]! - lp.mu) / (lp.sigma * lp.sigma);
    }
    nll -= normalLogPdf((theta[G]! - SIGNAL_PRIOR.mu) / SIGNAL_PRIOR.sigma);
    nll -= normalLogPdf((theta[G + 1]! - NOISE_PRIOR.mu) / NOISE_PRIOR.sigma);
    if (grad) {
      grad[G] = grad[G]! + (theta[G]! - SIGNAL_PRIOR.mu) / SIGNAL_PRIOR.sigma ** 2;
      grad[G + 1] = grad[G + 1]! + (theta[G + 1]! - NOISE_PRIOR.mu) / NOISE_PRIOR.sigma ** 2;
    }
  }
  return nll;
}

export interface FitOptions {
  /** Random starting points besides the prior's centre, screened by their (cheap, gradient-free) value. */
  restarts?: number;
  /** How many of the best starting points L-BFGS runs from. */
  optimizeTop?: number;
  maxIterations?: number;
}

/**
 * Maximum a posteriori hyperparameters with restarts: the prior's centre and `restarts` random draws are
 * screened by value alone (one Cholesky each), then L-BFGS runs from the best `optimizeTop` of them.
 */
export function fitHyperparameters(data: GpData, rng: Rng, opts: FitOptions = {}): GpTheta {
  const G = data.groupCount;
  const dist = pairDistances(data);
  const { lower, upper } = thetaBounds(G);
  const lp = lengthPrior(G);
  const starts: Float64Array[] = [];
  const centre = new Float64Array(G + 2);
  // Start shorter than the prior's median: short scales fit any data, and L-BFGS lengthens them fast.
  centre.fill(Math.log(0.3 * Math.sqrt(Math.max(1, G))), 0, G);
  centre[G] = 0;
  centre[G + 1] = Math.log(1e-3);
  starts.push(centre);
  for (let r = 0; r < (opts.restarts ?? 8); r++) {
    const start = new Float64Array(G + 2);
    for (let g = 0; g < G; g++) start[g] = lp.mu - 1.5 + 2.5 * (rng() - 0.5) * 2;
    start[G] = (rng() - 0.5) * 2;
    start[G + 1] = Math.log(1e-5) + rng() * 6;
    starts.push(start);
  }
  const screened = starts
    .map((start, i) => ({ start, i, value: negLogPosterior(data, dist, start, null) }))
    .sort((a, b) => (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : a.value - b.value) || a.i - b.i)
    .slice(0, opts.optimizeTop ?? 2);
  let best: GpTheta = centre;
  let bestValue = Number.POSITIVE_INFINITY;
  for (const { start } of screened) {
    const result = minimizeLbfgs((theta, grad) => negLogPosterior(data, dist, theta, grad), start, {
      lower,
      upper,
      maxIterations: opts.maxIterations ?? 30,
      tolerance: 1e-7,
    });
    if (result.value < bestValue) {
      bestValue = result.value;
      best = result.x;
    }
  }
  return best;
}

/** A GP conditioned on data with fixed hyperparameters: posterior mean and latent variance anywhere. */
export interface GpPosterior {
  readonly data: GpData;
  readonly theta: GpTheta;
  /** Posterior mean and variance (of f, without noise) at m points (row-major m × dims). */
  predict(points: Float64Array, m: number): { mean: Float64Array; variance: Float64Array };
}

export function conditionGp(data: GpData, theta: GpTheta): GpPosterior {
  const { n, dims, groups, groupCount: G, x } = data;
  const invL2 = new Float64Array(G);
  for (let g = 0; g < G; g++) invL2[g] = Math.exp(-2 * theta[g]!);
  const signal = Math.exp(theta[G]!);
  const noise = Math.exp(theta[G + 1]!);
  const kernel = (a: Float64Array, ai: number, b: Float64Array, bi: number, scratch: Float64Array) => {
    scratch.fill(0);
    for (let f = 0; f < dims; f++) {
      const diff = a[ai + f]! - b[bi + f]!;
      scratch[groups[f]!] = scratch[groups[f]!]! + diff * diff;
    }
    let r2 = 0;
    for (let g = 0; g < G; g++) r2 += scratch[g]! * invL2[g]!;
    return signal * matern52(Math.sqrt(r2));
  };
  const scratch = new Float64Array(G);
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    k[i * n + i] = signal + noise;
    for (let j = 0; j < i; j++) {
      const value = kernel(x, i * dims, x, j * dims, scratch);
      k[i * n + j] = value;
      k[j * n + i] = value;
    }
  }
  const { l } = cholesky(k, n);
  const alpha = solveUpper(l, n, solveLower(l, n, Float64Array.from(data.y)));
  return {
    data,
    theta,
    predict(points, m) {
      const mean = new Float64Array(m);
      const variance = new Float64Array(m);
      const ks = new Float64Array(n);
      for (let c = 0; c < m; c++) {
        let mu = 0;
        for (let i = 0; i < n; i++) {
          ks[i] = kernel(points, c * dims, x, i * dims, scratch);
          mu += ks[i]! * alpha[i]!;
        }
        solveLower(l, n, ks);
        let reduce = 0;
        for (let i = 0; i < n; i++) reduce += ks[i]! * ks[i]!;
        mean[c] = mu;
        variance[c] = Math.max(signal - reduce, 1e-12 * signal);
      }
      return { mean, variance };
    },
  };
}
