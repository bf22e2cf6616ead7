import { RETRY_FAILED_EVENT } from '@hyperfleet/engine';
import type { TrackingStore } from '@hyperfleet/store';

export const STOP_REQUESTED_EVENT = 'sweep.stop_requested';
export const CANCEL_REQUESTED_EVENT = 'sweep.cancel_requested';

/**
 * What a scheduler that recovers a sweep must re-apply, read from the event log. The scheduler keeps stop and
 * cancel in memory only; without this a restart after `stop` would go on creating trials.
 */
export interface RecoveryIntent {
  /** Cap on trials (no new trials beyond the ones that exist). */
  runCap?: number;
  /** Call again right after recovery. */
  reapply: 'stop' | 'cancel' | null;
}

export async function recoveryIntent(store: TrackingStore, sweepId: string): Promise<RecoveryIntent> {
  const events = await store.listEvents({
    sweepId,
    type: [STOP_REQUESTED_EVENT, CANCEL_REQUESTED_EVENT, RETRY_FAILED_EVENT],
  });
  let intent: RecoveryIntent = { reapply: null };
  for (const e of events) {
    if (e.type === RETRY_FAILED_EVENT) {
      const cap = (e.data as { runCap?: number } | null)?.runCap;
      intent = cap === undefined ? { reapply: null } : { runCap: cap, reapply: null };
    } else {
      intent = { reapply: e.type === CANCEL_REQUESTED_EVENT ? 'cancel' : 'stop' };
    }
  }
  if (intent.reapply !== null) {
    // Stopped: the trials that exist are all there will be.
    const trials = await store.listTrials(sweepId);
    intent.runCap = trials.length;
  }
  return intent;
}
