import type { FinishedReport } from '@hyperfleet/transport';
import type { AttemptResult } from './attempt-executor';

/** What goes on the wire of the runner's or executor's result (the log path stays on the agent). */
export function finishedReportOf(result: AttemptResult): FinishedReport {
  return {
    outcome: result.outcome,
    exitCode: result.exitCode,
    signal: result.signal,
    error: result.error,
    durationMs: result.durationMs,
    finalMetrics: result.finalMetrics,
    malformedLines: result.malformedLines,
  };
}

/** One line for the agent's log: how the attempt ended and after how long. */
export function describeEnding(report: FinishedReport): string {
  const how =
    report.outcome === 'exited'
      ? report.signal
        ? `killed by ${report.signal}`
        : `exited ${report.exitCode}`
      : report.outcome;
  return `${how} after ${(report.durationMs / 1000).toFixed(1)} s${report.error ? `: ${report.error}` : ''}`;
}
