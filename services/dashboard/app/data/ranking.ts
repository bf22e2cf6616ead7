import type { Goal, TrialRowView } from '@hyperfleet/domain';

/** True when `a` is a better metric value than `b` under `goal`. */
export function isBetter(goal: Goal, a: number, b: number): boolean {
  return goal === 'maximize' ? a > b : a < b;
}

/** The sweep's ranking: best metric value first by goal, trials without a value last, ties by index. */
export function compareByMetric(goal: Goal): (a: TrialRowView, b: TrialRowView) => number {
  const sign = goal === 'maximize' ? -1 : 1;
  return (a, b) => {
    const av = a.metricValue;
    const bv = b.metricValue;
    const aMissing = av === null || Number.isNaN(av);
    const bMissing = bv === null || Number.isNaN(bv);
    if (aMissing || bMissing) {
      if (aMissing && !bMissing) return 1;
      if (!aMissing && bMissing) return -1;
      return a.index - b.index;
    }
    if (av !== bv) return sign * (av - bv);
    return a.index - b.index;
  };
}
