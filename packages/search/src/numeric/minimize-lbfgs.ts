/** f(x) and its gradient written into `grad`. */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

export interface MinimizeResult {
  x: Float64Array;
  value: number;
  iterations: number;
}

export interface MinimizeOptions {
  lower: Float64Array;
  upper: Float64Array;
  maxIterations?: number;
  /** Memory of the quasi-Newton approximation. */
  history?: number;
  tolerance?: number;
}

function project(x: Float64Array, lower: Float64Array, upper: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]!));
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Box-constrained L-BFGS by projection: the two-loop direction, a projected backtracking (Armijo) line
 * search, and pairs kept only when curvature is positive. Not full L-BFGS-B, but the GP's hyperparameters
 * are few and mostly interior, where the two coincide; deterministic, no allocation per line-search step.
 */
export function minimizeLbfgs(f: ValueAndGradient, x0: Float64Array, opts: MinimizeOptions): MinimizeResult {
  const n = x0.length;
  const m = opts.history ?? 6;
  const maxIterations = opts.maxIterations ?? 50;
  const tolerance = opts.tolerance ?? 1e-6;
  const x = Float64Array.from(x0);
  project(x, opts.lower, opts.upper);
  const g = new Float64Array(n);
  let fx = f(x, g);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    if (!Number.isFinite(fx)) break;
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let k = sHist.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(sHist[k]!, d);
      const y = yHist[k]!;
      for (let i = 0; i < n; i++) d[i] = d[i]! - alpha[k]! * y[i]!;
    }
    if (sHist.length > 0) {
      const last = sHist.length - 1;
      const gamma = dot(sHist[last]!, yHist[last]!) / dot(yHist[last]!, yHist[last]!);
      for (let i = 0; i < n; i++) d[i] = d[i]! * gamma;
    }
    for (let k = 0; k < sHist.length; k++) {
      const beta = rho[k]! * dot(yHist[k]!, d);
      const s = sHist[k]!;
      for (let i = 0; i < n; i++) d[i] = d[i]! + (alpha[k]! - beta) * s[i]!;
    }
    // Zero the components that would leave the box at an active bound.
    for (let i = 0; i < n; i++) {
      if ((x[i]! <= opts.lower[i]! && d[i]! < 0) || (x[i]! >= opts.upper[i]! && d[i]! > 0)) d[i] = 0;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      sHist.length = 0;
      yHist.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = dot(g, d);
      if (!(slope < -1e-300)) break;
    }
    let step = sHist.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let accepted = false;
    let fNew = fx;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      project(xNew, opts.lower, opts.upper);
      fNew = f(xNew, gNew);
      let moved = 0;
      for (let i = 0; i < n; i++) moved += g[i]! * (xNew[i]! - x[i]!);
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * moved) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (sHist.length === m) {
        sHist.shift();
        yHist.shift();
        rho.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rho.push(1 / sy);
    }
    const improvement = fx - fNew;
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    if (improvement < tolerance * Math.max(1, Math.abs(fx))) break;
  }
  return { x, value: fx, iterations };
}
