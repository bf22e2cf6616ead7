import type { Goal, MetricSummary } from '@hyperfleet/domain';

/** True when `a` is strictly better than `b` under `goal`. NaN and null are worse than any number. */
export function isBetter(a: number | null, b: number | null, goal: Goal): boolean {
  if (a === null || Number.isNaN(a)) return false;
  if (b === null || Number.isNaN(b)) return true;
  return goal === 'maximize' ? a > b : a < b;
}

/** Sort comparator: best first, null/NaN last. */
export function compareByGoal(goal: Goal): (a: number | null, b: number | null) => number {
  return (a, b) => (isBetter(a, b, goal) ? -1 : isBetter(b, a, goal) ? 1 : 0);
}

/** Whether `value` meets the sweep's target (maximize: ≥ target, minimize: ≤ target). */
export function reachesTarget(value: number | null, target: number | undefined, goal: Goal): boolean {
  if (target === undefined || value === null || Number.isNaN(value)) return false;
  return goal === 'maximize' ? value >= target : value <= target;
}

/** The best value of a metric series by `goal`, from its summary (NaN only when every point was NaN). */
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
