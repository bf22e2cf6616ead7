import type { EarlyTerminateConfig, Goal, MetricPoint, TrialStatus } from '@hyperfleet/domain';
import { createEarlyStopper, type EarlyStopper, type StopDecision, type TrialHistory } from '@hyperfleet/search';
import type { TrackingStore, TrialRecord } from '@hyperfleet/store';

type Verdict = Extract<StopDecision, { stop: true }>;

/**
 * The sweep's early-termination state: every trial's reports of the sweep metric by step (kept in memory,
 * rebuilt from the store on recovery) and the rule that judges them. `observe` takes a batch of points and
 * returns the trials the rule says to stop, so stopping is decided on every report.
 */
export class EarlyTermination {
  private readonly stopper: EarlyStopper;
  private readonly byTrial = new Map<
    string,
    { steps: Map<number, number>; values: number[] | null; status: TrialStatus }
  >();

  constructor(
    config: EarlyTerminateConfig,
    private readonly metric: { name: string; goal: Goal },
  ) {
    this.stopper = createEarlyStopper(config, metric.goal, metric.name);
  }

  /** Rebuilds the histories of a recovered sweep's trials from the store. */
  async load(store: TrackingStore, trials: readonly TrialRecord[]): Promise<void> {
    for (const trial of trials) {
      const entry = this.entry(trial.id);
      entry.status = trial.status;
      for (const p of await store.getMetricHistory(trial.id, this.metric.name)) entry.steps.set(p.step, p.value);
      entry.values = null;
    }
  }

  /** Records a batch; returns a stop verdict for each trial in `running` that the rule now stops. */
  observe(points: readonly MetricPoint[], running: (trialId: string) => boolean): Array<{ trialId: string } & Verdict> {
    const before = new Map<string, number>();
    for (const p of points) {
      if (p.key !== this.metric.name) continue;
      const entry = this.entry(p.trialId);
      if (!before.has(p.trialId)) before.set(p.trialId, this.values(entry).length);
      entry.steps.set(p.step, p.value); // a repeated (trial, step) replaces, as in the store
      entry.values = null;
    }
    if (before.size === 0) return [];
    const all: TrialHistory[] = [...this.byTrial].map(([trialId, e]) => ({
      trialId,
      values: this.values(e),
      completed: e.status === 'succeeded',
    }));
    const out: Array<{ trialId: string } & Verdict> = [];
    for (const [trialId, previousCount] of before) {
      if (!running(trialId)) continue;
      const history = all.find((h) => h.trialId === trialId);
      if (!history) continue;
      const decision = this.stopper.evaluate(history, previousCount, all);
      if (decision.stop) out.push({ trialId, ...decision });
    }
    return out;
  }

  /** A trial ended: the median rule compares against completed (succeeded) trials only. */
  finished(trialId: string, status: TrialStatus): void {
    this.entry(trialId).status = status;
  }

  private entry(trialId: string) {
    let entry = this.byTrial.get(trialId);
    if (!entry) {
      entry = { steps: new Map(), values: null, status: 'running' };
      this.byTrial.set(trialId, entry);
    }
    return entry;
  }

  /** Finite values in step order (non-finite reports carry no ranking information). */
  private values(entry: { steps: Map<number, number>; values: number[] | null }): number[] {
    if (!entry.values) {
      entry.values = [...entry.steps]
        .sort((a, b) => a[0] - b[0])
        .map(([, v]) => v)
        .filter((v) => Number.isFinite(v));
    }
    return entry.values;
  }
}
