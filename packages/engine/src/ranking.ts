import type { Goal, MetricSummary } from '@hyperfleet/domain';

/**
 * How trials rank by the sweep metric, everywhere (scheduler, store queries, CLI, dashboard): finite values by
 * the goal, then non-finite values (NaN, ±Infinity: stored, shown, but never a best — a loss of -Infinity is a
 * diverged run, not a winner), then no value at all.
 */
export function rankClass(value: number | null): 0 | 1 | 2 {
  if (value === null) return 2;
  return Number.isFinite(value) ? 0 : 1;
}

/**
 * A sweep's best from its top-ranked trial (`listTrials({rankBy, limit: 1})`): none when that trial has no finite
 * value — then no trial has one, and a NaN or -Infinity is never shown as a sweep's best.
 */
export function sweepBest(top: { id: string; metricValue: number | null } | undefined): {
  trialId: string;
  value: number;
} | null {
  return top && rankClass(top.metricValue) === 0 ? { trialId: top.id, value: top.metricValue as number } : null;
}

/** True when `a` is strictly better than `b` under `goal`. Only a finite value is ever better than anything. */
export function isBetter(a: number | null, b: number | null, goal: Goal): boolean {
  if (a === null || !Number.isFinite(a)) return false;
  if (b === null || !Number.isFinite(b)) return true;
  return goal === 'maximize' ? a > b : a < b;
}

/** Sort comparator: finite values best first, then non-finite ones, then null. */
export function compareByGoal(goal: Goal): (a: number | null, b: number | null) => number {
  return (a, b) => rankClass(a) - rankClass(b) || (isBetter(a, b, goal) ? -1 : isBetter(b, a, goal) ? 1 : 0);
}

/** Whether `value` meets the sweep's target (maximize: ≥ target, minimize: ≤ target); never a non-finite value. */
export function reachesTarget(value: number | null, target: number | undefined, goal: Goal): boolean {
  if (target === undefined || value === null || !Number.isFinite(value)) return false;
  return goal === 'maximize' ? value >= target : value <= target;
}

/**
 * The best value of a metric series by `goal`, from its summary. The store's min/max are over the finite values
 * (see the store's SeriesSummary), so this is non-finite only when no value of the series was finite.
 */
export function bestOf(summary: Pick<MetricSummary, 'min' | 'max'>, goal: Goal): number {
  return goal === 'maximize' ? summary.max : summary.min;
}

/**
 * A trial's value of one of its metrics, wherever it is shown or compared (the run summary, a registry tag,
 * `reproduce`): the sweep metric at its best by the sweep's goal — the value that ranks the trial — and any other
 * metric, which has no goal, at its last value.
 */
export function trialMetricValue(
  summary: MetricSummary,
  sweepMetric: { name: string | null; goal: Goal } | null,
): number {
  return sweepMetric && summary.key === sweepMetric.name ? bestOf(summary, sweepMetric.goal) : summary.last;
}
