import type { Goal, Params, SearchSpace } from '@hyperfleet/domain';

/** A finished trial as search strategies see it. `value` is null when the trial reported no metric or failed. */
export interface Observation {
  params: Params;
  value: number | null;
  status: 'succeeded' | 'failed' | 'stopped' | 'cancelled';
}

export interface SuggestRequest {
  space: SearchSpace;
  goal: Goal;
  finished: Observation[];
  /** Params of trials queued or running: a strategy never hands these out again. */
  pending: Params[];
  /** How many suggestions are wanted. */
  n: number;
  /** Trial index the first suggestion will get; suggestion i gets index startIndex + i. */
  startIndex: number;
  /** Sweep seed; the RNG for trial k is seedrandom.alea(`${seed}:${k}`). */
  seed: number;
  options?: StrategyOptions;
}

export interface StrategyOptions {
  /** grid: visit grid points in a seeded shuffled order instead of config order. */
  shuffle?: boolean;
  /** random: never repeat a point on a fully discrete space (finished or pending). Default true for discrete spaces. */
  withoutReplacement?: boolean;
  /** tpe (and bayes when it hands over to tpe): overrides of Optuna-style defaults. */
  tpe?: {
    startupTrials?: number;
    candidates?: number;
    priorWeight?: number;
    multivariate?: boolean;
    bandwidthWeighted?: boolean;
  };
}

export interface SuggestResult {
  /** At most n suggestions (fewer when the space runs out). */
  suggestions: Params[];
  /** True when the strategy can never suggest another new point. */
  exhausted: boolean;
}

/** Pure function: same request → same result. No Math.random, no Date.now. */
export type Strategy = (req: SuggestRequest) => SuggestResult;
