import type { MetricSample } from '@hyperfleet/domain';
import type { EnvFingerprint } from '@hyperfleet/lineage';
import type { AgentReport, FinishedReport, ReportStream } from '@hyperfleet/transport';
import { abortableSleep } from './abortable-sleep';

export interface BatchOptions {
  /** Flush as soon as this many points are buffered. */
  maxPoints: number;
  /** …or this long after the first buffered point, whichever comes first. */
  intervalMs: number;
}

export const DEFAULT_BATCH: BatchOptions = { maxPoints: 500, intervalMs: 200 };

/** Points kept for a later publish while the stream is away; past this the oldest are dropped and counted. */
const MAX_UNSENT_POINTS = 100_000;

export interface PublishRetry {
  attempts: number;
  delayMs: number;
}

/**
 * One attempt's reports, in order: `started`, then metric batches, then `finished` (with the last batch in
 * the same publish). `started` waits in the buffer like points do (sent with the first batch, by count or
 * after `intervalMs`), so a trial that ends quickly — a crash at start, a no-op — sends one publish, and the
 * controller saves its start and its end together. Publishes are chained, so a slow stream never reorders
 * them. A metrics batch that still fails after the retries goes back to the front of the buffer and rides
 * with the next publish (the trial goes on; past MAX_UNSENT_POINTS the oldest are dropped and counted); a
 * `started` or `finished` that fails makes `finished` reject, so the caller can fail the job rather than
 * lose the attempt's record.
 */
export class TrialReporter {
  droppedPoints = 0;
  private pendingStart: AgentReport | null = null;
  private startError: Error | null = null;
  private buffer: MetricSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private lastError: Error | null = null;

  constructor(
    private readonly reports: ReportStream,
    private readonly ids: { sweepId: string; trialId: string; attempt: number },
    private readonly batch: BatchOptions = DEFAULT_BATCH,
    private readonly retry: PublishRetry = { attempts: 5, delayMs: 200 },
  ) {}

  /** `env`: this machine's environment fingerprint, for a pinned trial's lineage record. */
  started(agentId: string, at: number, env?: EnvFingerprint): void {
    const { trialId, attempt } = this.ids;
    this.pendingStart = { type: 'started', trialId, attempt, agentId, at, ...(env ? { env } : {}) };
    this.timer ??= setTimeout(() => this.flush(), this.batch.intervalMs);
  }

  addPoints(points: MetricSample[]): void {
    if (points.length === 0) return;
    this.buffer.push(...points);
    if (this.buffer.length >= this.batch.maxPoints) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.batch.intervalMs);
  }

  /** Sends what is buffered now (in chunks of maxPoints). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const start = this.takeStart();
    const reports = [...start, ...this.takeBuffered()];
    if (reports.length === 0) return this.chain;
    const sent = this.enqueue(reports, start.length > 0);
    // A lost `started` is kept for `finished` to report: nobody awaits a timed flush.
    if (start.length > 0) sent.catch((error: Error) => (this.startError ??= error));
    return sent.catch(() => {});
  }

  /** Buffered points and the ending, after everything published before. */
  finished(agentId: string, at: number, result: FinishedReport): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const { trialId, attempt } = this.ids;
    const reports = [
      ...this.takeStart(),
      ...this.takeBuffered(),
      { type: 'finished' as const, trialId, attempt, agentId, at, result },
    ];
    // After everything before it: if `started` was lost, the controller has no attempt to end, so the ending
    // is not sent either; the rejection hands the attempt back.
    return this.chain.then(() => {
      if (this.startError) throw this.startError;
      return this.enqueue(reports, true);
    });
  }

  private takeStart(): AgentReport[] {
    const start = this.pendingStart;
    this.pendingStart = null;
    return start ? [start] : [];
  }

  private takeBuffered(): AgentReport[] {
    const { trialId, attempt } = this.ids;
    const reports: AgentReport[] = [];
    for (let i = 0; i < this.buffer.length; i += this.batch.maxPoints) {
      reports.push({ type: 'metrics', trialId, attempt, points: this.buffer.slice(i, i + this.batch.maxPoints) });
    }
    this.buffer = [];
    return reports;
  }

  private enqueue(reports: AgentReport[], essential: boolean): Promise<void> {
    const next = this.chain.then(async () => {
      const error = await this.publishWithRetry(reports);
      if (!error) return;
      if (essential) throw error;
      this.lastError = error;
      this.putBack(reports.flatMap((r) => (r.type === 'metrics' ? r.points : [])));
    });
    // The chain itself never rejects: a failed essential publish is reported to its own caller only.
    this.chain = next.catch(() => {});
    return next;
  }

  /** Unsent points go before the ones buffered since, for the next publish (`finished` takes them too). */
  private putBack(points: MetricSample[]): void {
    if (points.length === 0) return;
    this.buffer = [...points, ...this.buffer];
    const excess = this.buffer.length - MAX_UNSENT_POINTS;
    if (excess > 0) {
      this.buffer = this.buffer.slice(excess);
      this.droppedPoints += excess;
    }
    this.timer ??= setTimeout(() => this.flush(), this.batch.intervalMs);
  }

  /** The error of the last failed metrics publish, if any (for the agent's log). */
  get metricsError(): Error | null {
    return this.lastError;
  }

  private async publishWithRetry(reports: AgentReport[]): Promise<Error | null> {
    let delay = this.retry.delayMs;
    let last: Error | null = null;
    for (let i = 0; i < this.retry.attempts; i++) {
      try {
        await this.reports.publish(this.ids.sweepId, reports);
        return null;
      } catch (error) {
        last = error instanceof Error ? error : new Error(String(error));
        if (i < this.retry.attempts - 1) await abortableSleep(delay);
        delay *= 2;
      }
    }
    return last;
  }
}
