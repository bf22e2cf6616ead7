import type { Params } from '@hyperfleet/domain';
import { sobolPoint } from '../numeric/sobol';
import { pointKey } from '../point-key';
import { standardNormal } from '../random-variates';
import { type Rng, trialRng } from '../rng';
import { createTpeStrategy } from '../tpe/tpe-strategy';
import type { Strategy, SuggestRequest } from '../types';
import { createUnitSpace, type UnitSpace } from '../unit-space';
import { discreteSize, takeUnseen } from '../unseen-fallback';
import { validateRequest } from '../validate-request';
import { conditionGp, fitHyperparameters, type GpData, type GpPosterior } from './gaussian-process';
import { logExpectedImprovement } from './log-expected-improvement';
import { warpOutputs } from './output-warping';

/** Past this many observations the GP is conditioned on a subset (best half + a spread of the rest). */
export const BAYES_MAX_MODEL_POINTS = 200;
/** Hyperparameters are fitted on at most this many of those points. */
const MAX_FIT_POINTS = 64;
const SOBOL_CANDIDATES = 1024;
const LOCAL_STARTS = 5;
const LOCAL_STEPS = 12;
const LOCAL_BATCH = 4;

/** Above this many non-constant parameters `bayes` hands over to TPE (a GP needs too many points there). */
export const BAYES_MAX_DIMS = 20;

const multivariateTpe = createTpeStrategy({ multivariate: true });

/**
 * When `bayes` hands over to multivariate TPE: more than BAYES_MAX_DIMS parameters, or a mostly
 * categorical space (at least 4 categoricals, outnumbering the numeric parameters), where a GP over
 * one-hot blocks models little that Parzen estimators do not. Past BAYES_MAX_MODEL_POINTS observations
 * bayes does not switch; it conditions on a subset instead, which keeps its cost bounded.
 */
export function bayesUsesTpe(unit: UnitSpace): boolean {
  const categorical = unit.coords.filter((c) => c.kind === 'categorical').length;
  const numeric = unit.coords.length - categorical;
  return unit.coords.length > BAYES_MAX_DIMS || (categorical >= 4 && categorical > numeric);
}

/** Size of the space-filling start: at least 2·dims (and at least 5), before any model is fitted. */
export function initialDesignSize(dims: number): number {
  return Math.max(2 * dims, 5);
}

interface Dataset {
  u: Float64Array[];
  y: number[];
}

/** Observed points in unit coordinates with values to minimize; failures count as the worst value seen. */
function observations(req: SuggestRequest, unit: UnitSpace): Dataset {
  const sign = req.goal === 'maximize' ? -1 : 1;
  const u: Float64Array[] = [];
  const y: number[] = [];
  const failed: Float64Array[] = [];
  for (const obs of req.finished) {
    const coords = unit.encode(obs.params);
    if (!coords) continue;
    if (obs.value !== null && Number.isFinite(obs.value)) {
      u.push(coords);
      y.push(sign * obs.value);
    } else if (obs.status === 'failed' || obs.value !== null) {
      failed.push(coords); // crashed, or reported NaN/±∞: a region to avoid
    }
  }
  if (y.length > 0 && failed.length > 0) {
    const worst = Math.max(...y);
    for (const coords of failed) {
      u.push(coords);
      y.push(worst);
    }
  }
  return { u, y };
}

/** The best half by value plus an even spread of the rest, in a deterministic order. */
function subset(data: Dataset, limit: number): Dataset {
  if (data.y.length <= limit) return data;
  const order = data.y.map((_, i) => i).sort((a, b) => data.y[a]! - data.y[b]! || a - b);
  const keep = order.slice(0, Math.ceil(limit / 2));
  const rest = order.slice(keep.length);
  const more = limit - keep.length;
  for (let i = 0; i < more; i++) keep.push(rest[Math.floor((i * rest.length) / more)]!);
  return { u: keep.map((i) => data.u[i]!), y: keep.map((i) => data.y[i]!) };
}

function gpData(unit: UnitSpace, u: Float64Array[], y: Float64Array): GpData {
  const dims = unit.featureCount;
  const x = new Float64Array(u.length * dims);
  u.forEach((coords, i) => {
    unit.features(coords, x, i * dims);
  });
  return { x, y, n: u.length, dims, groups: unit.groups, groupCount: unit.coords.length };
}

function featuresOf(unit: UnitSpace, points: Float64Array[]): Float64Array {
  const out = new Float64Array(points.length * unit.featureCount);
  points.forEach((p, i) => {
    unit.features(p, out, i * unit.featureCount);
  });
  return out;
}

function perturb(unit: UnitSpace, from: Float64Array, step: number, rng: Rng): Float64Array {
  const p = unit.coords.length;
  const out = Float64Array.from(from);
  for (let c = 0; c < p; c++) {
    if (unit.coords[c]!.kind === 'categorical') {
      if (rng() < 1 / p) out[c] = rng();
    } else {
      out[c] = Math.min(1, Math.max(0, from[c]! + step * standardNormal(rng)));
    }
  }
  return out;
}

/**
 * Candidates ranked by log EI: a randomly shifted Sobol' set, Gaussian perturbations of the best observed
 * points, then a few (1+λ) local refinement steps from the best few candidates.
 */
function rankCandidates(
  unit: UnitSpace,
  gp: GpPosterior,
  best: number,
  bestPoints: Float64Array[],
  rng: Rng,
): Float64Array[] {
  const p = unit.coords.length;
  const score = (points: Float64Array[]) => {
    const { mean, variance } = gp.predict(featuresOf(unit, points), points.length);
    return points.map((_, i) => logExpectedImprovement(mean[i]!, variance[i]!, best));
  };
  const shift = Float64Array.from({ length: p }, () => rng());
  const candidates: Float64Array[] = [];
  const scratch = new Float64Array(p);
  for (let i = 0; i < SOBOL_CANDIDATES; i++) {
    sobolPoint(i, p, scratch);
    candidates.push(Float64Array.from(scratch, (v, d) => (v + shift[d]!) % 1));
  }
  for (const point of bestPoints) {
    for (let i = 0; i < 20; i++) candidates.push(perturb(unit, point, i % 2 === 0 ? 0.1 : 0.02, rng));
  }
  const scores = score(candidates);
  const order = candidates.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const ranked = order.map((i) => ({ point: candidates[i]!, score: scores[i]! }));
  for (const start of ranked.slice(0, LOCAL_STARTS)) {
    let current = start;
    let step = 0.05;
    for (let s = 0; s < LOCAL_STEPS; s++) {
      const trial = Array.from({ length: LOCAL_BATCH }, () => perturb(unit, current.point, step, rng));
      const trialScores = score(trial);
      let bestIndex = -1;
      for (let i = 0; i < trial.length; i++) {
        if (trialScores[i]! > (bestIndex < 0 ? current.score : trialScores[bestIndex]!)) bestIndex = i;
      }
      if (bestIndex >= 0) {
        current = { point: trial[bestIndex]!, score: trialScores[bestIndex]! };
        ranked.push(current);
        step = Math.min(0.2, step * 1.5);
      } else {
        step *= 0.5;
      }
    }
  }
  return ranked.sort((a, b) => b.score - a.score).map((r) => r.point);
}

/** Trial k's point of the space-filling start: Sobol' point k+1 under a per-sweep random shift. */
function designPoint(unit: UnitSpace, seed: number, k: number): Float64Array {
  const p = unit.coords.length;
  const shiftRng = trialRng(`${seed}:sobol-shift`, 0);
  const shift = Float64Array.from({ length: p }, () => shiftRng());
  const point = sobolPoint((k + 1) % 2 ** 32, p);
  for (let d = 0; d < p; d++) point[d] = (point[d]! + shift[d]!) % 1;
  return point;
}

/**
 * GP Bayesian optimization. Matérn 5/2 ARD kernel with a noise term, MAP hyperparameters (L-BFGS with
 * restarts), log EI maximized over Sobol' candidates plus local refinement, inputs warped to the unit cube
 * per distribution (see unit-space), outputs power-transformed. Until `initialDesignSize(dims)` trials have
 * values, trials take points of a shifted Sobol' sequence indexed by trial number, so parallel workers
 * spread out from the start. Pending trials enter the model as kriging believers (their predicted mean as
 * if observed), so a batch never piles onto one point; no point repeats on a fully discrete space.
 * Pure: everything random comes from trialRng(seed, startIndex).
 */
export const bayesStrategy: Strategy = (req) => {
  validateRequest(req);
  const unit = createUnitSpace(req.space);
  if (bayesUsesTpe(unit)) return multivariateTpe(req);
  const seen = new Set<string>();
  for (const obs of req.finished) seen.add(pointKey(req.space, obs.params));
  for (const params of req.pending) seen.add(pointKey(req.space, params));
  const size = discreteSize(req.space);
  const isExhausted = () => size !== undefined && BigInt(seen.size) >= size;

  const data = observations(req, unit);
  const dims = unit.coords.length;
  const suggestions: Params[] = [];
  const take = (params: Params): boolean => {
    const key = pointKey(req.space, params);
    if (seen.has(key)) return false;
    seen.add(key);
    suggestions.push(params);
    return true;
  };

  let model: { theta: Float64Array; y: Float64Array; u: Float64Array[] } | null = null;
  const pendingU: Float64Array[] = [];
  for (const params of req.pending) {
    const coords = unit.encode(params);
    if (coords) pendingU.push(coords);
  }

  for (let i = 0; i < req.n && !isExhausted(); i++) {
    const k = req.startIndex + i;
    const rng = trialRng(req.seed, k);
    if (dims === 0) {
      if (!take(unit.decode(new Float64Array(0)))) break;
      continue;
    }
    const distinct = new Set(data.y).size;
    if (data.y.length < initialDesignSize(dims) || distinct < 2) {
      const point = designPoint(unit, req.seed, k);
      if (!take(unit.decode(point))) takeUnseen(req.space, rng, take, isExhausted);
      pendingU.push(point);
      continue;
    }
    if (!model) {
      const sub = subset(data, BAYES_MAX_MODEL_POINTS);
      const y = warpOutputs(Float64Array.from(sub.y));
      const fitSet = subset({ u: sub.u, y: [...y] }, MAX_FIT_POINTS);
      const theta = fitHyperparameters(gpData(unit, fitSet.u, Float64Array.from(fitSet.y)), rng);
      model = { theta, y, u: sub.u };
    }
    const real = conditionGp(gpData(unit, model.u, model.y), model.theta);
    let best = Number.POSITIVE_INFINITY;
    for (const v of model.y) best = Math.min(best, v);
    // Kriging believer: pending points are "observed" at the real model's mean.
    let gp = real;
    if (pendingU.length > 0) {
      const believed = real.predict(featuresOf(unit, pendingU), pendingU.length).mean;
      const y = Float64Array.from([...model.y, ...believed]);
      gp = conditionGp(gpData(unit, [...model.u, ...pendingU], y), model.theta);
    }
    const bestPoints = model.u
      .map((point, j) => ({ point, v: model!.y[j]! }))
      .sort((a, b) => a.v - b.v)
      .slice(0, 5)
      .map((e) => e.point);
    const ranked = rankCandidates(unit, gp, best, bestPoints, rng);
    let chosen: Float64Array | undefined;
    for (const point of ranked) {
      const params = unit.decode(point);
      if (take(params)) {
        chosen = unit.encode(params) ?? point;
        break;
      }
    }
    if (!chosen) {
      takeUnseen(req.space, rng, take, isExhausted);
      const last = suggestions[suggestions.length - 1];
      chosen = last ? unit.encode(last) : undefined;
    }
    if (chosen) pendingU.push(chosen);
  }
  return { suggestions, exhausted: isExhausted() };
};
