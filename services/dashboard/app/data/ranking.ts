import type { Goal, TrialRowView } from '@hyperfleet/domain';

/** True when `a` is a better metric value than `b` under `goal`; a non-finite value is never better (engine's isBetter). */
export function isBetter(goal: Goal, a: number, b: number): boolean {
  if (!Number.isFinite(a)) return false;
  if (!Number.isFinite(b)) return true;
  return goal === 'maximize' ? a > b : a < b;
}

/** 0 finite, 1 non-finite (NaN, ±Infinity: shown, never best), 2 no value — the order the store ranks by too. */
function rankClass(v: number | null): number {
  if (v === null) return 2;
  return Number.isFinite(v) ? 0 : 1;
}

/** The sweep's ranking: finite metric values by goal, then non-finite ones, then trials without a value; ties by index. */
export function compareByMetric(goal: Goal): (a: TrialRowView, b: TrialRowView) => number {
  const sign = goal === 'maximize' ? -1 : 1;
  return (a, b) => {
    const ac = rankClass(a.metricValue);
    const bc = rankClass(b.metricValue);
    if (ac !== bc) return ac - bc;
    const av = a.metricValue as number;
    const bv = b.metricValue as number;
    if (ac === 0 && av !== bv) return sign * (av - bv);
    return a.index - b.index;
  };
}
