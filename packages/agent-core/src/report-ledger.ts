import type { AgentReport, ReportStream } from '@hyperfleet/transport';

export interface LedgerLimits {
  /** Ended attempts are kept this long after their `finished` report… */
  keepEndedMs: number;
  /** …and at most this many of them. */
  keepEnded: number;
  /** Points kept per attempt; past this an attempt's later points are not replayed (counted). */
  pointsPerAttempt: number;
}

export const DEFAULT_LEDGER_LIMITS: LedgerLimits = {
  keepEndedMs: 15 * 60_000,
  keepEnded: 256,
  pointsPerAttempt: 200_000,
};

interface AttemptEntry {
  sweepId: string;
  reports: AgentReport[];
  points: number;
  endedAt: number | null;
}

/**
 * The reports this agent published, kept per attempt so that they can be sent again when the controller
 * may have lost them: it forgot this agent, which happens when Redis restarted empty and took unread
 * reports with it. Replaying is safe: the controller ignores reports about an attempt that is no longer
 * current and stores a metric point once per (trial, key, step).
 */
export class ReportLedger implements ReportStream {
  /** Points past `pointsPerAttempt`, which a replay cannot send again. */
  unreplayablePoints = 0;
  private readonly attempts = new Map<string, AttemptEntry>();

  constructor(
    private readonly inner: ReportStream,
    private readonly limits: LedgerLimits = DEFAULT_LEDGER_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  async publish(sweepId: string, reports: AgentReport[]): Promise<void> {
    await this.inner.publish(sweepId, reports);
    for (const r of reports) this.record(sweepId, r);
    this.prune();
  }

  subscribe(...args: Parameters<ReportStream['subscribe']>): ReturnType<ReportStream['subscribe']> {
    return this.inner.subscribe(...args);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Publishes every kept report again, attempt by attempt in the order they started; returns how many. */
  async replay(): Promise<number> {
    let sent = 0;
    for (const entry of [...this.attempts.values()]) {
      await this.inner.publish(entry.sweepId, entry.reports);
      sent += entry.reports.length;
    }
    return sent;
  }

  private record(sweepId: string, report: AgentReport): void {
    const key = `${sweepId}\u0000${report.trialId}\u0000${report.attempt}`;
    let entry = this.attempts.get(key);
    if (!entry) {
      entry = { sweepId, reports: [], points: 0, endedAt: null };
      this.attempts.set(key, entry);
    }
    if (report.type === 'metrics') {
      const room = this.limits.pointsPerAttempt - entry.points;
      const kept = room >= report.points.length ? report.points : report.points.slice(0, Math.max(0, room));
      this.unreplayablePoints += report.points.length - kept.length;
      if (kept.length === 0) return;
      entry.points += kept.length;
      entry.reports.push(kept === report.points ? report : { ...report, points: kept });
      return;
    }
    entry.reports.push(report);
    if (report.type === 'finished') entry.endedAt = this.now();
  }

  private prune(): void {
    const cutoff = this.now() - this.limits.keepEndedMs;
    const ended = [...this.attempts].filter(([, e]) => e.endedAt !== null);
    const excess = ended.length - this.limits.keepEnded;
    for (const [i, [key, e]] of ended.entries()) {
      if (i < excess || (e.endedAt ?? 0) < cutoff) this.attempts.delete(key);
    }
  }
}
