import { join } from 'node:path';
import { type RunTrialOptions, runTrial } from '@hyperfleet/runner';
import type { AttemptReport, Dispatcher, TrialDispatch } from '@hyperfleet/scheduler';
import type { MetricPoint } from '@hyperfleet/spec';
import type { TrialRecord } from '@hyperfleet/store';
import { MetricBatcher } from './metric-batcher';

/** Where a dispatcher sends what happens to the trials it runs (the scheduler implements this). */
export interface TrialReporter {
  reportStarted(trialId: string, attempt: number, worker: string | null): Promise<void>;
  reportMetrics(points: MetricPoint[]): Promise<void>;
  reportFinished(report: AttemptReport): Promise<void>;
}

export interface LocalDispatcherOptions {
  /** Trials run at once. */
  slots: number;
  /** Working directory of every trial (the sweep file's directory). */
  cwd: string;
  /** Per-trial files go to `${runsDir}/<trialId>/`. */
  runsDir: string;
  killGraceMs?: number;
  timeoutMs?: number;
  metrics?: RunTrialOptions['metrics'];
  env?: Record<string, string>;
  /**
   * Runs before each attempt: records lineage and, when the trial's pins say so, materializes its code
   * and data (returning where it runs and how to clean up). A throw fails the attempt with that message.
   */
  prepare?: (trial: TrialRecord) => Promise<{ cwd?: string; cleanup?: () => Promise<void> } | undefined>;
}

/**
 * Embedded mode's trial runner: an in-process FIFO and a fixed number of slots, each running one trial
 * through the runner. Metrics are batched before they reach the reporter.
 */
export class LocalDispatcher implements Dispatcher {
  private readonly waiting: TrialDispatch[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly batcher: MetricBatcher;
  private reporter: TrialReporter | null = null;
  private readonly settled = new Set<Promise<void>>();

  constructor(private readonly opts: LocalDispatcherOptions) {
    this.batcher = new MetricBatcher((points) => this.requireReporter().reportMetrics(points));
  }

  bind(reporter: TrialReporter): void {
    this.reporter = reporter;
  }

  async dispatch(job: TrialDispatch): Promise<void> {
    this.waiting.push(job);
    this.pump();
  }

  async stop(trialId: string): Promise<void> {
    const index = this.waiting.findIndex((j) => j.trial.id === trialId);
    if (index >= 0) {
      const [job] = this.waiting.splice(index, 1);
      if (job) this.track(this.reportNeverStarted(job));
      return;
    }
    this.running.get(trialId)?.abort();
  }

  /** Resolves when every trial this dispatcher started has reported back. */
  async drain(): Promise<void> {
    while (this.settled.size > 0) await Promise.all([...this.settled]);
  }

  private pump(): void {
    while (this.running.size < this.opts.slots) {
      const job = this.waiting.shift();
      if (!job) return;
      const abort = new AbortController();
      this.running.set(job.trial.id, abort);
      this.track(this.execute(job, abort.signal).finally(() => this.running.delete(job.trial.id)));
    }
  }

  private async execute(job: TrialDispatch, signal: AbortSignal): Promise<void> {
    const { trial, attempt } = job;
    const reporter = this.requireReporter();
    await reporter.reportStarted(trial.id, attempt, 'local');
    let prepared: Awaited<ReturnType<NonNullable<LocalDispatcherOptions['prepare']>>>;
    try {
      prepared = await this.opts.prepare?.(trial);
    } catch (err) {
      this.running.delete(trial.id);
      this.pump();
      const error = `cannot prepare the trial: ${(err as Error).message}`;
      await reporter.reportFinished({ ...this.noRun(job, 'spawn-error', error), worker: 'local' });
      return;
    }
    const result = await runTrial({
      sweepId: trial.sweepId,
      trialId: trial.id,
      argv: trial.command ?? [],
      cwd: prepared?.cwd ?? this.opts.cwd,
      env: this.opts.env,
      params: trial.params,
      seed: trial.seed,
      trialDir: join(this.opts.runsDir, trial.id),
      timeoutMs: this.opts.timeoutMs,
      killGraceMs: this.opts.killGraceMs,
      metrics: this.opts.metrics,
      signal,
      onMetrics: (points) => this.batcher.add(points.map((p) => ({ trialId: trial.id, ...p }))),
    });
    // Every point reaches the store before the trial is marked finished: nothing half-written.
    await this.batcher.flush();
    await prepared?.cleanup?.();
    this.running.delete(trial.id);
    this.pump();
    await reporter.reportFinished({
      trialId: trial.id,
      attempt,
      outcome: result.outcome,
      exitCode: result.exitCode,
      signal: result.signal,
      error: result.error,
      durationMs: result.durationMs,
      finalMetrics: result.finalMetrics,
      malformedLines: result.malformedLines,
      worker: 'local',
    });
  }

  private reportNeverStarted(job: TrialDispatch): Promise<void> {
    return this.requireReporter().reportFinished(this.noRun(job, 'stopped', null));
  }

  private noRun(job: TrialDispatch, outcome: AttemptReport['outcome'], error: string | null): AttemptReport {
    return {
      trialId: job.trial.id,
      attempt: job.attempt,
      outcome,
      exitCode: null,
      signal: null,
      error,
      durationMs: 0,
      finalMetrics: {},
      malformedLines: 0,
      worker: null,
    };
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch(() => undefined).finally(() => this.settled.delete(tracked));
    this.settled.add(tracked);
  }

  private requireReporter(): TrialReporter {
    if (!this.reporter) throw new Error('LocalDispatcher.bind(reporter) must be called before dispatching');
    return this.reporter;
  }
}
