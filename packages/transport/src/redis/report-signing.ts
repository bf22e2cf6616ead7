import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Who signed a report entry: an agent id, or `CONTROLLER_SENDER` for the loss verdicts a controller publishes
 * itself. '@' is not allowed in an agent id, so no agent can pass for the controller.
 */
export const CONTROLLER_SENDER = '@controller';

/** The publisher side: every entry names its sender and carries HMAC-SHA256(key, sweep id, payload). */
export interface ReportSigner {
  sender: string;
  key: Buffer;
  /**
   * A key for one attempt only (`attemptKey(senderKey, jobId)`, job id `${trialId}.a${attempt}`): what an
   * agent hands the pod that runs the attempt, so the pod's key, written into its Job, signs nothing else.
   */
  attempt?: string;
}

/** The key of one attempt, derived from its agent's key. */
export function attemptKey(key: Buffer, jobId: string): Buffer {
  return createHmac('sha256', key).update('attempt\0').update(jobId).digest();
}

/**
 * The consumer side: the key of a sender (undefined: nobody known by that name), and what to do with an
 * entry that is refused (unsigned, unknown sender, bad MAC). A refused entry is acknowledged and dropped.
 */
export interface ReportVerifier {
  keyOf(sender: string): Buffer | undefined;
  onRefused(refusal: { sweepId: string; sender: string | null; reason: string }): void;
}

/**
 * The MAC binds the payload to its sweep stream: an entry copied into another sweep's stream does not verify.
 * The sender is covered by the key itself (each sender has its own).
 */
export function reportMac(key: Buffer, sweepId: string, payload: string): string {
  return createHmac('sha256', key).update(sweepId).update('\n').update(payload).digest('hex');
}

/** Constant-time comparison of a MAC as received (any string) with the one expected. */
export function macMatches(key: Buffer, sweepId: string, payload: string, mac: string): boolean {
  const expected = Buffer.from(reportMac(key, sweepId, payload), 'hex');
  const got = Buffer.from(mac, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}
