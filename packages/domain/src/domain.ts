/** Domain types shared by every package. Plain data: JSON-serializable, no classes. */

/** A value a parameter can take. Nested `parameters` produce nested objects. */
export type ParamValue = number | string | boolean | null | ParamValue[] | { [key: string]: ParamValue };
/** The params of one trial, nested the way the sweep config nests them. */
export type Params = { [key: string]: ParamValue };

export const GOALS = ['minimize', 'maximize'] as const;
export type Goal = (typeof GOALS)[number];
export type SearchMethod = 'grid' | 'random' | 'bayes' | 'tpe';

/**
 * One leaf of the search space after normalization: W&B's inference applied, `distribution` always set.
 * `path` is the nesting path (['optimizer', 'lr']); `name` is its dotted form ('optimizer.lr').
 */
export type Distribution =
  | { distribution: 'constant'; value: ParamValue }
  | { distribution: 'categorical'; values: ParamValue[]; probabilities?: number[] }
  | { distribution: 'int_uniform'; min: number; max: number }
  | { distribution: 'uniform'; min: number; max: number }
  | { distribution: 'q_uniform'; min: number; max: number; q: number }
  /** min/max are exponents of e (W&B semantics). */
  | { distribution: 'log_uniform'; min: number; max: number }
  | { distribution: 'log_uniform_values'; min: number; max: number }
  | { distribution: 'q_log_uniform'; min: number; max: number; q: number }
  | { distribution: 'q_log_uniform_values'; min: number; max: number; q: number }
  | { distribution: 'inv_log_uniform'; min: number; max: number }
  | { distribution: 'inv_log_uniform_values'; min: number; max: number }
  | { distribution: 'normal'; mu: number; sigma: number }
  | { distribution: 'q_normal'; mu: number; sigma: number; q: number }
  | { distribution: 'log_normal'; mu: number; sigma: number }
  | { distribution: 'q_log_normal'; mu: number; sigma: number; q: number }
  | { distribution: 'beta'; a: number; b: number }
  | { distribution: 'q_beta'; a: number; b: number; q: number };

export type DistributionName = Distribution['distribution'];

export interface SpaceParam {
  name: string;
  path: string[];
  dist: Distribution;
}

/** The flattened, normalized search space, in config order. */
export interface SearchSpace {
  params: SpaceParam[];
}

/**
 * A trial's status: queued (written to the store, waiting for a slot), running, succeeded (exit 0), failed
 * (non-zero exit, spawn error, timeout), stopped (early-terminated by a rule), cancelled (user cancel / Ctrl-C).
 */
export const TRIAL_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'stopped', 'cancelled'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

export const TERMINAL_TRIAL_STATUSES: readonly TrialStatus[] = ['succeeded', 'failed', 'stopped', 'cancelled'];

export const SWEEP_STATUSES = ['running', 'paused', 'finished', 'failed', 'cancelled'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

/**
 * One value of one metric at one step: what the runner parses, an agent reports (the trial and attempt are on the
 * enclosing report) and the engine stores. In memory `value` is always a number, NaN and ±Infinity included; only
 * JSON encoders turn those into their names (see non-finite.ts).
 */
export interface MetricSample {
  key: string;
  step: number;
  value: number; // NaN and ±Infinity are allowed; the store keeps them
  timestamp: number; // ms since epoch
}

/** A metric sample of a known trial, as the store records it. */
export interface MetricPoint extends MetricSample {
  trialId: string;
}

/**
 * Per-trial, per-metric summary kept up to date on every metric write. `min`/`max` are over the finite values
 * (non-finite only when none is finite: see the store's SeriesSummary); `last` is the value at the highest step.
 */
export interface MetricSummary {
  trialId: string;
  key: string;
  last: number;
  lastStep: number;
  min: number;
  max: number;
  /** Step at which the best value (by the sweep's goal for the sweep metric; min otherwise) was seen. */
  minStep: number;
  maxStep: number;
  count: number;
}
