import type { TrialJob } from './ports';
import { TransportError } from './transport-error';

// Pool names and ids become parts of Redis keys and BullMQ queue names, where ':' separates segments.
const SAFE = /^[A-Za-z0-9_.-]{1,200}$/;

export function assertPoolName(pool: string): void {
  if (!SAFE.test(pool)) {
    throw new TransportError('TRANSPORT_INVALID', `invalid pool name ${JSON.stringify(pool)}`, {
      hint: 'use letters, digits, "_", "-" or "." (no ":"), at most 200 characters',
    });
  }
}

export function assertId(kind: string, id: string): void {
  if (!SAFE.test(id)) {
    throw new TransportError('TRANSPORT_INVALID', `invalid ${kind} ${JSON.stringify(id)}`, {
      hint: 'ids may use letters, digits, "_", "-" or "." (no ":"), at most 200 characters',
    });
  }
}

export function assertAttempt(attempt: number): void {
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    throw new TransportError('TRANSPORT_INVALID', `invalid attempt ${attempt}`, {
      hint: 'attempts are counted from 1',
    });
  }
}

export function assertJob(job: TrialJob): void {
  assertPoolName(job.pool);
  assertId('sweep id', job.sweepId);
  assertId('trial id', job.trialId);
  assertAttempt(job.attempt);
}
