import {
  type CurveView,
  DEFAULT_PROJECT,
  flattenParams,
  type SweepSnapshot,
  type SweepSummaryView,
  TERMINAL_TRIAL_STATUSES,
  type TrialRowView,
  type TrialSnapshot,
} from '@hyperfleet/domain';
import { sweepBest } from '@hyperfleet/engine';
import type { MetricSeries, SweepRecord, TrackingStore, TrialRecord } from '@hyperfleet/store';
import type { CachedCurve, CurveCache } from './curve-cache';
import { lttb } from './lttb';
import { RungTracker, rungIterations } from './rungs';
import type { SweepShapes } from './sweep-shape';
import { loadTrialRow, mapLimit, toTrialRow } from './trial-row';

/** Store reads in flight at once while building one snapshot (Postgres pools are small). */
const READ_CONCURRENCY = 8;

export const EARLY_STOPPED_EVENT = 'trial.early_stopped';

export interface SnapshotSource {
  store: TrackingStore;
  shapes: SweepShapes;
  curves: CurveCache;
  now: () => number;
  /** Base URL of the fleet controller for `hyperfleet reproduce --server`; null in embedded mode. */
  serverUrl: () => string | null;
}

export async function sweepSummary(src: SnapshotSource, sweep: SweepRecord): Promise<SweepSummaryView> {
  const { store } = src;
  const [counts, top] = await Promise.all([
    store.countTrials(sweep.id),
    sweep.metricName ? store.listTrials(sweep.id, { rankBy: sweep.goal, limit: 1 }) : Promise.resolve([]),
  ]);
  const best = sweepBest(top[0]);
  const nonZero = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  return {
    id: sweep.id,
    name: sweep.name,
    status: sweep.status,
    method: sweep.method,
    metricName: sweep.metricName,
    goal: sweep.goal,
    createdAt: sweep.createdAt,
    finishedAt: sweep.finishedAt,
    reason: sweep.reason,
    project: sweep.project,
    counts: nonZero,
    total: src.shapes.of(sweep).total,
    best,
  };
}

/** The newest sweeps of `projects` (undefined: every project). */
export async function listSweepSummaries(
  src: SnapshotSource,
  projects: readonly string[] | undefined,
  limit = 200,
): Promise<SweepSummaryView[]> {
  const sweeps = await src.store.listSweeps({ limit, ...(projects ? { projects } : {}) });
  return mapLimit(sweeps, READ_CONCURRENCY, (s) => sweepSummary(src, s));
}

/** A row with its params flattened to the sweep's dotted parameter names (the table's columns). */
export function flatRow(row: TrialRowView, src: SnapshotSource, sweep: SweepRecord): TrialRowView {
  const space = src.shapes.of(sweep).space;
  return { ...row, params: flattenParams(row.params, space ?? undefined) };
}

export async function trialRow(src: SnapshotSource, sweep: SweepRecord, trial: TrialRecord): Promise<TrialRowView> {
  return flatRow(await loadTrialRow(src.store, trial, sweep.metricName), src, sweep);
}

function curveOf(trialId: string, key: string, series: MetricSeries, maxPoints: number): CurveView {
  const { steps, values } = lttb(series.steps, series.values, maxPoints);
  return { trialId, key, steps, values };
}

/** One trial's full history of `metric`, reduced to what a snapshot shows; `iterations`: rungs to place. */
async function readCurve(
  store: TrackingStore,
  trialId: string,
  metric: string | null,
  maxPoints: number,
  iterations: readonly number[],
): Promise<CachedCurve> {
  if (!metric) return { curve: null, last: null, reports: 0, stepsAt: {} };
  return deriveCurve(trialId, metric, await store.getMetricSeries(trialId, metric), maxPoints, iterations);
}

function deriveCurve(
  trialId: string,
  metric: string,
  series: MetricSeries,
  maxPoints: number,
  iterations: readonly number[],
): CachedCurve {
  const { steps, values } = series;
  const n = steps.length;
  const finiteSteps = steps.filter((_, i) => Number.isFinite(values[i]));
  const stepsAt: Record<number, number> = {};
  for (const k of iterations) {
    const step = finiteSteps[k - 1];
    if (step !== undefined) stepsAt[k] = step;
  }
  return {
    curve: n > 0 ? curveOf(trialId, metric, series, maxPoints) : null,
    last: n > 0 ? { value: values[n - 1] as number, step: steps[n - 1] as number } : null,
    reports: finiteSteps.length,
    stepsAt,
  };
}

/**
 * Puts a just-finished trial's sweep-metric curve in the cache at the sizes clients ask for, so the sweep's
 * page loads without reading every history again (one read per trial, spread over the sweep's life).
 */
export async function warmCurve(
  src: SnapshotSource,
  sweep: SweepRecord,
  trial: TrialRecord,
  sizes: readonly number[],
): Promise<void> {
  const metric = sweep.metricName;
  if (!metric || !TERMINAL_TRIAL_STATUSES.includes(trial.status)) return;
  const missing = sizes.filter((n) => !src.curves.get(trial.id, trial.attempts, metric, n));
  if (missing.length === 0) return;
  const series = await src.store.getMetricSeries(trial.id, metric);
  const iterations = rungIterations(src.shapes.of(sweep).earlyTerminate, []);
  for (const n of missing) {
    src.curves.set(trial.id, trial.attempts, metric, n, deriveCurve(trial.id, metric, series, n, iterations));
  }
}

/** A sweep's snapshot, and the tracker that keeps its rungs current from there (null without early stopping). */
export async function buildSweepSnapshot(
  src: SnapshotSource,
  sweepId: string,
  maxPoints: number,
): Promise<{ snapshot: SweepSnapshot; rungs: RungTracker | null } | null> {
  const { store } = src;
  const sweep = await store.getSweep(sweepId);
  if (!sweep) return null;
  const at = src.now();
  const metric = sweep.metricName;
  const shape = src.shapes.of(sweep);
  const [trials, summary, stopEvents] = await Promise.all([
    store.listTrials(sweep.id, metric ? { rankBy: sweep.goal } : {}),
    sweepSummary(src, sweep),
    shape.earlyTerminate ? store.listEvents({ sweepId: sweep.id, type: EARLY_STOPPED_EVENT }) : Promise.resolve([]),
  ]);
  const iterations = rungIterations(shape.earlyTerminate, stopEvents);
  const perTrial = await mapLimit(trials, READ_CONCURRENCY, async (trial) => {
    const finished = TERMINAL_TRIAL_STATUSES.includes(trial.status);
    let cached = metric && finished ? src.curves.get(trial.id, trial.attempts, metric, maxPoints) : undefined;
    // Cached before a rung it lacks was known (a median stop at a new iteration): read it again.
    if (cached && !iterations.every((n) => n > (cached?.reports ?? 0) || n in (cached?.stepsAt ?? {}))) {
      cached = undefined;
    }
    const [derived, attempts] = await Promise.all([
      cached ?? readCurve(store, trial.id, metric, maxPoints, iterations),
      store.listAttempts(trial.id),
    ]);
    if (metric && finished && !cached) src.curves.set(trial.id, trial.attempts, metric, maxPoints, derived);
    const row = flatRow(toTrialRow(trial, derived.last, attempts), src, sweep);
    const progress = { reports: derived.reports, stepsAt: derived.stepsAt };
    return { row, curve: derived.curve, progress, lastStep: derived.last?.step ?? null };
  });
  let paramNames = shape.paramNames;
  if (paramNames.length === 0) {
    paramNames = [...new Set(perTrial.flatMap((t) => Object.keys(t.row.params)))];
  }
  const config = shape.earlyTerminate;
  // The tracker builds the snapshot's rungs, then keeps them current.
  const rungs = config
    ? new RungTracker(
        config,
        stopEvents,
        perTrial.map((t) => ({ trialId: t.row.id, progress: t.progress, lastStep: t.lastStep })),
      )
    : null;
  const snapshot: SweepSnapshot = {
    sweep: summary,
    paramNames,
    trials: perTrial.map((t) => t.row),
    curves: perTrial.flatMap((t) => (t.curve ? [t.curve] : [])),
    rungs: rungs?.first ?? [],
    at,
  };
  return { snapshot, rungs };
}

export async function buildTrialSnapshot(
  src: SnapshotSource,
  trialId: string,
  maxPoints: number,
  logTail: string,
): Promise<TrialSnapshot | null> {
  const { store } = src;
  const trial = await store.getTrial(trialId);
  if (!trial) return null;
  const sweep = await store.getSweep(trial.sweepId);
  const [summaries, attempts, lineage] = await Promise.all([
    store.getSummaries(trial.id),
    store.listAttempts(trial.id),
    store.lineage().getLineage(trial.id),
  ]);
  const curves = await mapLimit(summaries, READ_CONCURRENCY, async (s) =>
    curveOf(trial.id, s.key, await store.getMetricSeries(trial.id, s.key), maxPoints),
  );
  const main = summaries.find((s) => s.key === sweep?.metricName);
  let row = toTrialRow(trial, main ? { value: main.last, step: main.lastStep } : null, attempts);
  if (sweep) row = flatRow(row, src, sweep);
  const server = src.serverUrl();
  return {
    trial: row,
    project: sweep?.project ?? DEFAULT_PROJECT,
    curves,
    lineage: lineage ?? null,
    reproduceCommand: `hyperfleet reproduce ${trial.id}${server ? ` --server ${server}` : ''}`,
    logTail,
  };
}
