import { HyperfleetError } from '@hyperfleet/domain';

/**
 * Why an attempt ended without its handler succeeding:
 * - `stalled`: the agent vanished (killed, partitioned) and its job lock expired;
 * - `handed-back`: the agent gave the attempt back on purpose (threw `LostAttemptError`, e.g. while draining);
 * - `error`: the handler threw anything else (bad payload, agent bug) — the agent never reported a result.
 */
export type LostCause = 'stalled' | 'handed-back' | 'error';

/** What `TrialQueue.watchLost` delivers. */
export interface LostAttempt {
  pool: string;
  trialId: string;
  attempt: number;
  reason: string;
  cause: LostCause;
}

/** BullMQ's own failedReason for a job whose lock expired with `maxStalledCount: 0`; the in-process adapter uses the same text. */
export const STALLED_REASON = 'job stalled more than allowable limit';
const HANDED_BACK_PREFIX = 'handed back: ';

/** LostAttemptError's code. */
export const ATTEMPT_HANDED_BACK = 'ATTEMPT_HANDED_BACK';

/**
 * Thrown by a consumer's handler to give an attempt back to the scheduler as lost to infrastructure
 * (not the program's failure): the job fails with a `handed back: …` reason and `watchLost` fires.
 */
export class LostAttemptError extends HyperfleetError {
  override name = 'LostAttemptError';

  constructor(message: string) {
    super(ATTEMPT_HANDED_BACK, message);
  }
}

/** The failedReason a job gets for an error its handler threw. */
export function failedReasonOf(err: unknown): string {
  if (err instanceof LostAttemptError) return `${HANDED_BACK_PREFIX}${err.message}`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Classifies a failedReason (from `state()` or a failed event), so a controller can reconcile after downtime. */
export function lostCauseOf(failedReason: string): LostCause {
  if (failedReason.startsWith(HANDED_BACK_PREFIX)) return 'handed-back';
  if (failedReason === STALLED_REASON || failedReason.includes('stalled')) return 'stalled';
  return 'error';
}
