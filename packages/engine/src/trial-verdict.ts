import type { TrialStatus } from '@hyperfleet/domain';
import type { AttemptReport } from './ports';

export type FinalVerdict = {
  kind: 'final';
  status: Exclude<TrialStatus, 'queued' | 'running'>;
  reason: string | null;
  /** Set for failures only: what the breaker compares to decide "failed the same way". */
  failureSignature: string | null;
};
export type Verdict = FinalVerdict | { kind: 'retry'; reason: string };

export interface VerdictContext {
  stopIntent: 'cancel' | 'early-stop' | null;
  /** Retries still allowed for infrastructure failures of this trial. */
  retriesLeft: number;
}

/**
 * Turns how an attempt ended into the trial's fate. Only infrastructure failures ('lost') are retried
 * automatically; a non-zero exit of the user's program is a failed trial (DESIGN.md: trial vs attempt).
 * A stop we asked for (early stop, cancel) decides the fate only of an attempt it actually stopped, or that
 * was lost on the way: a program that had already exited on its own is judged by its exit, so a result
 * that reached us late is never rewritten as `stopped`.
 */
export function judgeAttempt(report: AttemptReport, ctx: VerdictContext): Verdict {
  const fail = (reason: string, signature = reason): Verdict => ({
    kind: 'final',
    status: 'failed',
    reason,
    failureSignature: signature,
  });
  const stoppedByUs = report.outcome === 'stopped' || report.outcome === 'lost';
  if (ctx.stopIntent === 'early-stop' && stoppedByUs) {
    const reason = report.outcome === 'lost' ? `stopped early (${lostReason(report)})` : 'stopped early';
    return { kind: 'final', status: 'stopped', reason, failureSignature: null };
  }
  if (ctx.stopIntent === 'cancel' && stoppedByUs) {
    return { kind: 'final', status: 'cancelled', reason: 'cancelled', failureSignature: null };
  }
  switch (report.outcome) {
    case 'lost': {
      const reason = lostReason(report);
      return ctx.retriesLeft > 0 ? { kind: 'retry', reason } : fail(`${reason} (no retries left)`, 'lost');
    }
    case 'spawn-error':
      return fail(report.error ?? 'the program could not be started');
    case 'timeout':
      return fail(report.error ?? 'timed out', 'timeout');
    case 'stopped':
      // Stopped without our asking (someone killed it from outside): a cancel, not a failure.
      return { kind: 'final', status: 'cancelled', reason: 'stopped from outside hyperfleet', failureSignature: null };
    case 'exited': {
      if (report.signal) return fail(`killed by ${report.signal}`);
      if (report.exitCode !== 0) return fail(`exited with code ${report.exitCode}`);
      return { kind: 'final', status: 'succeeded', reason: null, failureSignature: null };
    }
  }
}

function lostReason(report: AttemptReport): string {
  return `attempt ${report.attempt} lost: ${report.error ?? 'worker went away'}`;
}
