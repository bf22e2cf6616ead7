import type { Params } from '@hyperfleet/domain';
import { pointKey } from '../point-key';
import { type Rng, trialRng } from '../rng';
import { sampleParams } from '../sample-distribution';
import type { Observation, Strategy, SuggestRequest } from '../types';
import { createUnitSpace, type UnitSpace } from '../unit-space';
import { discreteSize, takeUnseen } from '../unseen-fallback';
import { validateRequest } from '../validate-request';
import { createParzenEstimator } from './parzen-estimator';

/**
 * Optuna's defaults (3.1), which the benchmark compares against. `bandwidthWeighted` reproduces how Optuna
 * 3.1 actually scores candidates (see bench/search/README.md): on the benchmark it beats the textbook
 * density on four objectives of five, so it is the default; set it false for the textbook TPE.
 */
export interface TpeOptions {
  /** Random trials before the estimators take over. */
  startupTrials: number;
  /** Draws from l(x) scored by l(x)/g(x) per suggestion. */
  candidates: number;
  /** Size of the "good" group for n observations. */
  gamma(n: number): number;
  priorWeight: number;
  /** Model parameters jointly (Optuna's multivariate=True); default per-parameter. */
  multivariate: boolean;
  /** Equal-height kernels when scoring candidates (see ParzenOptions.bandwidthWeighted). Default true. */
  bandwidthWeighted: boolean;
}

export const DEFAULT_TPE_OPTIONS: TpeOptions = {
  startupTrials: 10,
  candidates: 24,
  gamma: (n) => Math.min(Math.ceil(0.1 * n), 25),
  priorWeight: 1,
  multivariate: false,
  bandwidthWeighted: true,
};

/** Optuna's default_weights: recent observations weigh 1, older ones ramp down once there are > 25. */
function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) => (n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

interface Scored {
  u: Float64Array;
  /** Value to minimize; +∞ for pending and failed trials (they always count as bad). */
  y: number;
}

function scoredObservations(
  finished: readonly Observation[],
  pending: readonly Float64Array[],
  unit: UnitSpace,
  sign: number,
) {
  const out: Scored[] = [];
  for (const obs of finished) {
    const u = unit.encode(obs.params);
    if (!u) continue;
    if (obs.value !== null && Number.isFinite(obs.value)) out.push({ u, y: sign * obs.value });
    else if (obs.status === 'failed' || obs.value !== null) out.push({ u, y: Number.POSITIVE_INFINITY });
  }
  for (const u of pending) out.push({ u, y: Number.POSITIVE_INFINITY });
  return out;
}

function suggestOne(unit: UnitSpace, scored: Scored[], opts: TpeOptions, rng: Rng): Float64Array[] {
  const order = scored.map((_, i) => i).sort((a, b) => scored[a]!.y - scored[b]!.y || a - b);
  const nReal = scored.filter((s) => Number.isFinite(s.y)).length;
  const nBelow = Math.max(1, Math.min(opts.gamma(nReal), nReal));
  const below = order.slice(0, nBelow).sort((a, b) => a - b);
  const above = order.slice(nBelow).sort((a, b) => a - b);
  const parzen = (idx: number[]) =>
    createParzenEstimator(
      unit,
      idx.map((i) => scored[i]!.u),
      observationWeights(idx.length),
      {
        priorWeight: opts.priorWeight,
        multivariate: opts.multivariate,
        magicClip: true,
        bandwidthWeighted: opts.bandwidthWeighted,
      },
    );
  const l = parzen(below);
  const g = parzen(above);
  const p = unit.coords.length;
  const candidates = Array.from({ length: opts.candidates }, () => {
    const u = new Float64Array(p);
    l.sample(rng, u);
    return u;
  });
  if (opts.multivariate) {
    const scores = candidates.map((u) => l.logPdf(u) - g.logPdf(u));
    return candidates
      .map((_, i) => i)
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .map((i) => candidates[i]!);
  }
  // Univariate: each coordinate takes its own best candidate value (Optuna samples parameters independently).
  const best = new Float64Array(p);
  for (let c = 0; c < p; c++) {
    let top = Number.NEGATIVE_INFINITY;
    for (const u of candidates) {
      const s = l.logPdf(u, [c]) - g.logPdf(u, [c]);
      if (s > top) {
        top = s;
        best[c] = u[c]!;
      }
    }
  }
  return [best, ...candidates];
}

/**
 * Tree-structured Parzen Estimator, Optuna-style: after `startupTrials` random trials, split observations
 * at the gamma quantile into good (l) and bad (g), draw candidates from l and keep the best l/g. Pending
 * trials count as bad, so parallel workers are pushed apart; no repeats on a fully discrete space.
 * Pure: trial k draws from trialRng(seed, k).
 */
export function createTpeStrategy(overrides: Partial<TpeOptions> = {}): Strategy {
  return (req: SuggestRequest) => {
    validateRequest(req);
    const opts = { ...DEFAULT_TPE_OPTIONS, ...overrides, ...req.options?.tpe };
    const unit = createUnitSpace(req.space);
    const sign = req.goal === 'maximize' ? -1 : 1;
    const seen = new Set<string>();
    for (const obs of req.finished) seen.add(pointKey(req.space, obs.params));
    for (const params of req.pending) seen.add(pointKey(req.space, params));
    const size = discreteSize(req.space);
    const isExhausted = () => size !== undefined && BigInt(seen.size) >= size;
    const suggestions: Params[] = [];
    const take = (params: Params) => {
      const key = pointKey(req.space, params);
      if (seen.has(key)) return false;
      seen.add(key);
      suggestions.push(params);
      return true;
    };
    const pendingU = req.pending.map((p) => unit.encode(p)).filter((u): u is Float64Array => u !== undefined);
    const realCount = req.finished.filter((o) => o.value !== null && Number.isFinite(o.value)).length;
    for (let i = 0; i < req.n && !isExhausted(); i++) {
      const rng = trialRng(req.seed, req.startIndex + i);
      const before = suggestions.length;
      if (realCount < opts.startupTrials || unit.coords.length === 0) {
        if (!take(sampleParams(req.space, rng))) takeUnseen(req.space, rng, take, isExhausted);
      } else {
        const ranked = suggestOne(unit, scoredObservations(req.finished, pendingU, unit, sign), opts, rng);
        if (!ranked.some((u) => take(unit.decode(u)))) takeUnseen(req.space, rng, take, isExhausted);
      }
      const added = suggestions.length > before ? unit.encode(suggestions[before]!) : undefined;
      if (added) pendingU.push(added);
    }
    return { suggestions, exhausted: isExhausted() };
  };
}

export const tpeStrategy: Strategy = createTpeStrategy();
