import {
  type ColumnarPoints,
  type CurveView,
  decodeTrialRow,
  type Goal,
  type RungView,
  type SweepSnapshot,
  type SweepSummaryView,
  type TrialRowView,
} from '@hyperfleet/domain';
import { paramAt } from './params';
import { compareByMetric, isBetter } from './ranking';
import { Series } from './series';

/**
 * The client-side state of one sweep page: trial rows, the sweep metric's curve per trial (typed arrays),
 * and the ranking. Deltas mutate in place and mark what changed; views pull on their next frame, so a
 * batch of thousands of points costs a few array stores and no DOM work.
 */
export class SweepModel {
  sweep: SweepSummaryView;
  paramNames: string[];
  rungs: RungView[];
  readonly trials = new Map<string, TrialRowView>();
  readonly curves = new Map<string, Series>();
  /** Bumped when rows change (status, values, new trials) — the table and the plots re-read. */
  rowsVersion = 0;
  /** Bumped when any curve point changes. */
  curvesVersion = 0;
  private ranked: TrialRowView[] = [];
  private rankedAt = -1;

  constructor(snapshot: SweepSnapshot) {
    this.sweep = snapshot.sweep;
    this.paramNames = snapshot.paramNames;
    this.rungs = snapshot.rungs;
    for (const t of snapshot.trials) this.trials.set(t.id, { ...decodeTrialRow(t) });
    for (const c of snapshot.curves) this.setCurve(c);
    this.rowsVersion++;
    this.curvesVersion++;
  }

  get goal(): Goal {
    return this.sweep.goal;
  }

  get metricName(): string | null {
    return this.sweep.metricName;
  }

  private setCurve(c: CurveView): void {
    if (this.metricName !== null && c.key !== this.metricName) return;
    this.curves.set(c.trialId, Series.from(c.steps, c.values));
  }

  /** A reliable trial delta: replaces the row, keeping a better live metric we already saw. */
  applyTrial(wire: TrialRowView): void {
    const row = decodeTrialRow(wire);
    const prev = this.trials.get(row.id);
    const next = { ...row };
    if (prev && row.attempts > prev.attempts) {
      // A new attempt (the last one's worker was lost): the server set the old points aside; so do we.
      this.curves.delete(row.id);
      this.curvesVersion++;
    } else if (prev && prev.metricValue !== null) {
      if (next.metricValue === null || isBetter(this.goal, prev.metricValue, next.metricValue)) {
        next.metricValue = prev.metricValue;
      }
      if (prev.lastStep !== null && (next.lastStep === null || prev.lastStep > next.lastStep)) {
        next.lastStep = prev.lastStep;
        next.lastValue = prev.lastValue;
      }
    }
    this.trials.set(row.id, next);
    this.rowsVersion++;
  }

  applySweep(sweep: SweepSummaryView): void {
    this.sweep = sweep;
    this.rowsVersion++;
  }

  /**
   * A columnar batch: appends the sweep metric's points to each trial's curve and updates the row's best
   * and last value, so the ranking moves between the (less frequent) reliable trial updates.
   */
  applyMetrics(points: ColumnarPoints): number {
    const metric = this.metricName;
    // No sweep metric: nothing to rank or draw here (the trial page charts every key).
    if (metric === null) return 0;
    const goal = this.goal;
    const n = points.step.length;
    let applied = 0;
    let rowsChanged = false;
    for (let i = 0; i < n; i++) {
      if (points.key[i] !== metric) continue;
      const trialId = points.trialId[i]!;
      const step = points.step[i]!;
      // A non-finite value travels as null (JSON has no NaN): a gap, not a point.
      const value = points.value[i] as number | null;
      if (value === null || !Number.isFinite(value)) continue;
      let series = this.curves.get(trialId);
      if (!series) {
        series = new Series();
        this.curves.set(trialId, series);
      }
      if (series.append(step, value)) applied++;
      const row = this.trials.get(trialId);
      if (row) {
        if (row.metricValue === null || isBetter(goal, value, row.metricValue)) {
          row.metricValue = value;
          rowsChanged = true;
        }
        if ((row.lastStep === null || step >= row.lastStep) && (row.lastStep !== step || row.lastValue !== value)) {
          row.lastStep = step;
          row.lastValue = value;
          rowsChanged = true;
        }
      }
    }
    if (applied) this.curvesVersion++;
    if (rowsChanged) this.rowsVersion++;
    return applied;
  }

  /** The trials in ranking order; recomputed only when rows changed since the last call. */
  ranking(): TrialRowView[] {
    if (this.rankedAt !== this.rowsVersion) {
      this.ranked = [...this.trials.values()].sort(compareByMetric(this.goal));
      this.rankedAt = this.rowsVersion;
    }
    return this.ranked;
  }

  /** Parameters that take more than one value across the trials (constants say nothing in the plots). */
  varyingParams(): string[] {
    return this.paramNames.filter((name) => {
      let first: string | undefined;
      for (const t of this.trials.values()) {
        const v = JSON.stringify(paramAt(t.params, name) ?? null);
        if (first === undefined) first = v;
        else if (v !== first) return true;
      }
      return false;
    });
  }

  /** The best `k` trials that have a curve, in ranking order. */
  topK(k: number): TrialRowView[] {
    const out: TrialRowView[] = [];
    for (const t of this.ranking()) {
      if (out.length >= k) break;
      const c = this.curves.get(t.id);
      if (c && c.length > 0) out.push(t);
    }
    return out;
  }
}
