/** How one attempt of a trial ended: the one definition the runner, the agent, the wire and the engine share. */

/** What running the process can end in (packages/runner; the Kubernetes termination message). */
export const PROCESS_OUTCOMES = [
  'exited', // the process ran and exited (any code)
  'spawn-error', // the program could not start
  'timeout', // the per-trial timeout hit
  'stopped', // stopped on request (cancel, early stopping)
] as const;
export type ProcessOutcome = (typeof PROCESS_OUTCOMES)[number];

/** Every way an attempt ends: the process outcomes, plus `lost` when the infrastructure failed under it. */
export const ATTEMPT_OUTCOMES = [
  ...PROCESS_OUTCOMES,
  'lost', // infrastructure failure: the worker died, the pod was evicted — retried up to `retries`
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** How an attempt ended, as whatever ran it saw it: what an agent reports and the engine judges. */
export interface AttemptEnd {
  outcome: AttemptOutcome;
  /** null when killed by a signal or it never started. */
  exitCode: number | null;
  signal: string | null;
  /** Set when the process could not start (spawn ENOENT/EACCES…), timed out or was lost, with the reason. */
  error: string | null;
  durationMs: number;
  /** Last value seen per metric key. */
  finalMetrics: Record<string, number>;
  /** Number of lines that looked like metrics but could not be parsed, plus undecodable lines. */
  malformedLines: number;
}

/** The ending of an attempt that has no process result: refused before it ran, or lost with its worker. */
export function endedWithoutExit(outcome: AttemptOutcome, error: string): AttemptEnd {
  return { outcome, exitCode: null, signal: null, error, durationMs: 0, finalMetrics: {}, malformedLines: 0 };
}
