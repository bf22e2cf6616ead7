import { NOT_STARTED, type TrackingStore } from '@hyperfleet/store';
import type { Clock } from './ports';

export interface ReopenOptions {
  clock: Clock;
  actor?: string | null;
  /** Recorded with the event: the cap a restarted scheduler must use so that it only re-runs these trials. */
  runCap?: number;
}

/** Event type written by `reopenFailedTrials`; its data is `{trialIds, runCap?}`. */
export const RETRY_FAILED_EVENT = 'sweep.retry_failed';

/**
 * `retry-failed`: puts a sweep's failed trials back in the queue as the next attempt of the same trials
 * (same params, same seed) and the sweep back to `running`. A scheduler started afterwards recovers the sweep
 * and dispatches them as attempt n+1 (its recovery dispatches `attempts`); the failed attempt's points are
 * archived like a lost attempt's, so the new attempt starts a clean series. Returns the reopened trial ids.
 */
export async function reopenFailedTrials(
  store: TrackingStore,
  sweepId: string,
  opts: ReopenOptions,
): Promise<string[]> {
  const failed = await store.listTrials(sweepId, { status: ['failed'] });
  if (failed.length === 0) return [];
  for (const t of failed) {
    const last = Math.max(1, t.attempts);
    await store.archiveAttemptMetrics(t.id, last);
    await store.updateTrial(t.id, { ...NOT_STARTED, status: 'queued', attempts: last + 1 });
  }
  await store.updateSweep(sweepId, { status: 'running', finishedAt: null, reason: null });
  const trialIds = failed.map((t) => t.id);
  await store.appendEvent({
    at: opts.clock.now(),
    sweepId,
    trialId: null,
    type: RETRY_FAILED_EVENT,
    actor: opts.actor ?? null,
    data: opts.runCap === undefined ? { trialIds } : { trialIds, runCap: opts.runCap },
  });
  return trialIds;
}
