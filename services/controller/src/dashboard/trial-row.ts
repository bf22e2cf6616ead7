import { encodeTrialRow, type TrialRowView } from '@hyperfleet/domain';
import type { AttemptRecord, TrackingStore, TrialRecord } from '@hyperfleet/store';

/**
 * One row of the dashboard's trial table from the stored trial, its sweep-metric summary and its attempts, ready
 * to send (non-finite values as their names: encodeTrialRow).
 */
export function toTrialRow(
  trial: TrialRecord,
  last: { value: number; step: number } | null,
  attempts: readonly AttemptRecord[],
): TrialRowView {
  const current = attempts.reduce<AttemptRecord | null>((a, b) => (a === null || b.attempt > a.attempt ? b : a), null);
  return encodeTrialRow({
    id: trial.id,
    sweepId: trial.sweepId,
    index: trial.index,
    status: trial.status,
    params: trial.params,
    seed: trial.seed,
    command: trial.command,
    createdAt: trial.createdAt,
    startedAt: trial.startedAt,
    endedAt: trial.endedAt,
    exitCode: trial.exitCode,
    reason: trial.reason,
    metricValue: trial.metricValue,
    lastValue: last?.value ?? null,
    lastStep: last?.step ?? null,
    attempts: trial.attempts,
    agentId: current?.worker ?? null,
  });
}

/** Reads what a row needs besides the trial record (the last value of `metricName`, the agent). */
export async function loadTrialRow(
  store: TrackingStore,
  trial: TrialRecord,
  metricName: string | null,
): Promise<TrialRowView> {
  const [summaries, attempts] = await Promise.all([
    metricName === null ? Promise.resolve([]) : store.getSummaries(trial.id),
    store.listAttempts(trial.id),
  ]);
  const s = summaries.find((x) => x.key === metricName);
  return toTrialRow(trial, s ? { value: s.last, step: s.lastStep } : null, attempts);
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
