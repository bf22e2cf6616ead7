import { join } from 'node:path';
import { endedWithoutExit, type MetricSample } from '@hyperfleet/domain';
import { type RunTrialOptions, runTrial } from '@hyperfleet/runner';
import {
  type ConsumerHandle,
  type FinishedReport,
  jobIdOf,
  LostAttemptError,
  type TrialJob,
} from '@hyperfleet/transport';
import { type AgentLogger, describeError } from './agent-logger';
import type { AgentTransport } from './agent-transport';
import { describeEnding, finishedReportOf } from './attempt-ending';
import type { AttemptExecutor, AttemptResult, RunTrial } from './attempt-executor';
import { LiveLog } from './live-log';
import { describeWorkspaceError, openPinnedWorkspace, type PinnedWorkspace } from './pinned-workspace';
import { runCleanups, settledWithin } from './settled-within';
import { gpuRequestProblem, slotEnv, slotGpus } from './slot-placement';
import { type Slot, SlotPool } from './slot-pool';
import { StopWatcher } from './stop-watcher';
import { parseTrialJob, type TrialJobParse } from './trial-job-schema';
import { type BatchOptions, DEFAULT_BATCH, TrialReporter } from './trial-reporter';
import {
  agentSecretPolicy,
  type ResolvedTrialEnv,
  refusedSecret,
  resolveTrialEnv,
  type SecretPolicy,
} from './trial-secrets';

/** Where attempts run: that decides who rebuilds pinned code, who checks GPU requests and who publishes metrics. */
export type AttemptPlacement =
  | {
      /** In a slot of this machine, as a process: the runner's `runTrial` unless a stand-in is given. */
      on: 'this-machine';
      runTrial?: RunTrial;
      /**
       * Pinned jobs run in their code rebuilt here, blobs fetched from `getBlob`. Without it (embedded mode)
       * they run in the submitter's own tree, and the pins are only its record.
       */
      rebuildPinnedCode?: { getBlob(hash: string): Promise<Buffer | null> };
      /** The secrets a sweep's `env:` may name here (default: none), read from this process's environment. */
      secrets?: SecretPolicy;
    }
  | {
      /** Elsewhere (Kubernetes: one Job per attempt): the pod rebuilds the pins, the Job requests the GPUs. */
      on: 'executor';
      executor: AttemptExecutor;
    };

export interface TrialTakerOptions {
  agentId: string;
  /** Named, with the agent id, in the reason of an attempt handed back. */
  host: string;
  /** The queue jobs are taken from. */
  pool: string;
  /** Trial directories (`<workDir>/<sweepId>/<trialId>.a<attempt>/`) and rebuilt pinned trees go here. */
  workDir: string;
  /** Puts a trial's files elsewhere (embedded mode keeps them with the sweep's runs). */
  trialDir?: (job: TrialJob) => string;
  placement: AttemptPlacement;
  /** Stream each attempt's output to the LogStream as it runs. Default true. */
  streamLogs?: boolean;
  /** Take at most this many jobs in all, then stop taking. Default no bound. */
  maxJobs?: number;
  batch?: Partial<BatchOptions>;
  /** Period of the stop-key re-check. Default 500 ms (a stop is honoured within a second). */
  stopCheckMs?: number;
  /** How long trials stopped at the end of a drain (or by close) get to end (beyond their kill grace). Default 15_000. */
  closeTimeoutMs?: number;
  logger: AgentLogger;
  /** A job arrived (before it is validated). */
  onJobTaken?: () => void;
  /**
   * The runner or executor ended an attempt. Not called for jobs refused before they ran (a bad payload,
   * pins that cannot be rebuilt, a GPU request the slot cannot meet): those are not the machine's fault.
   */
  onAttemptEnded?: (report: FinishedReport, job: TrialJob) => void;
  /**
   * Why this agent will not run the job now (its sweep is paused here), or null. A refused job is ended as a
   * `spawn-error` with that reason — a failed trial with its cause, as W&B and Optuna show a run that could not
   * start — and not counted as an attempt this machine ran (`onAttemptEnded` is not called).
   */
  refuse?: (job: TrialJob) => string | null;
  /** A job was dealt with, whichever way it ended. */
  onJobDone?: () => void;
}

/** A trial running in one of the slots, as heartbeats and snapshots show it. */
export interface RunningAttempt {
  trialId: string;
  attempt: number;
  slot: number;
  gpu: number | null;
}

/** A sample of this machine for one running attempt: points without step or time (the taker numbers them). */
export type SamplePoint = Pick<MetricSample, 'key' | 'value'>;

/** Why a running trial was stopped; everything but a stop request hands the attempt back (`lost`). */
type StopCause = 'stop-requested' | 'drain-timeout' | 'arrived-draining' | 'closed';

interface RunningTrial {
  job: TrialJob;
  slot: Slot;
  abort: AbortController;
  cause: StopCause | null;
  reporter: TrialReporter;
  /** Machine samples added so far: the step of the next one. */
  samples: number;
}

/**
 * Takes trial jobs from a transport's queue, one per free slot, and sees each through: validate the payload
 * (an invalid one is ended, never retried), rebuild its pinned code when asked, run it (the runner, or an
 * executor), stream its metrics and output, honour stop requests, and report `started` → `metrics` →
 * `finished`. `drain()` and `close()` end it: attempts that cannot finish in time are stopped and handed
 * back (reported `lost`, the queue job failed) so the scheduler runs them again. Registration, heartbeats,
 * GPUs and pausing are the owner's: it hears about each job through the `on…` callbacks.
 */
export class TrialTaker {
  private readonly batch: BatchOptions;
  private readonly closeTimeoutMs: number;
  private transport: AgentTransport | null = null;
  private slots = SlotPool.cpu(1);
  private stopWatcher: StopWatcher | null = null;
  private handle: ConsumerHandle | null = null;
  private consumerStopped: Promise<void> = Promise.resolve();
  private readonly runs = new Map<string, RunningTrial>();
  private readonly inflight = new Set<Promise<void>>();
  private taken = 0;
  private done = 0;
  /** Set once a drain or close began: a job that still slips in is handed back. */
  private ending: 'draining' | 'closing' | null = null;
  private drainPatienceMs = 0;
  private draining: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly opts: TrialTakerOptions) {
    this.batch = { ...DEFAULT_BATCH, ...opts.batch };
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 15_000;
  }

  /** Starts listening for stop requests and taking jobs, at most one per slot at a time. */
  start(transport: AgentTransport, slots: SlotPool): void {
    if (this.transport) throw new Error('this trial taker has already started');
    this.transport = transport;
    this.slots = slots;
    this.stopWatcher = new StopWatcher(
      transport.control,
      (trialId) => {
        for (const run of this.runs.values()) if (run.job.trialId === trialId) this.stopRun(run, 'stop-requested');
      },
      this.opts.stopCheckMs ?? 500,
    );
    this.stopWatcher.start();
    this.startTaking();
  }

  /** Attempts running now. */
  get running(): RunningAttempt[] {
    return [...this.runs.values()].map(attemptOf);
  }

  /** Something is running or still being dealt with. */
  get busy(): boolean {
    return this.runs.size > 0 || this.inflight.size > 0;
  }

  /** Jobs taken off the queue so far. */
  get jobsTaken(): number {
    return this.taken;
  }

  /** Jobs dealt with so far, whichever way they ended. */
  get jobsDone(): number {
    return this.done;
  }

  /** Takes jobs again after `stopTaking()` (no-op while taking, once the job bound is reached, or once ending). */
  startTaking(): void {
    if (!this.transport || this.handle || this.ending) return;
    const left = (this.opts.maxJobs ?? Number.POSITIVE_INFINITY) - this.taken;
    const concurrency = Math.min(this.slots.size, left);
    if (concurrency <= 0) return;
    this.handle = this.transport.consumer.consume(
      { pool: this.opts.pool, concurrency, agentId: this.opts.agentId },
      (job) => this.track(this.onJob(job)),
    );
  }

  /** No new jobs; running ones go on. The queue consumer drains (its handlers finish) and is then closed. */
  stopTaking(): void {
    const handle = this.handle;
    if (!handle) return;
    this.handle = null;
    const previous = this.consumerStopped;
    this.consumerStopped = (async () => {
      await previous;
      try {
        await handle.drain();
      } catch (error) {
        this.opts.logger('warn', `draining the queue consumer failed: ${describeError(error)}`);
      }
      await handle
        .close()
        .catch((error) => this.opts.logger('warn', `closing the queue consumer failed: ${describeError(error)}`));
    })();
  }

  /** Resolves once the consumer stopped by `stopTaking()` is closed. */
  stoppedTaking(): Promise<void> {
    return this.consumerStopped;
  }

  /**
   * Adds one sample of this machine (GPU use, …) to every running attempt `pointsFor` answers for (null:
   * none for that one); each attempt numbers its samples 0, 1, 2, … as steps.
   */
  addSample(at: number, pointsFor: (attempt: RunningAttempt) => SamplePoint[] | null): void {
    for (const run of this.runs.values()) {
      const points = pointsFor(attemptOf(run));
      if (!points) continue;
      const step = run.samples++;
      run.reporter.addPoints(points.map((p) => ({ ...p, step, timestamp: at })));
    }
  }

  /**
   * No new jobs; running attempts get `patienceMs` (Infinity: as long as they take), then are stopped and
   * handed back; those still not ended `closeTimeoutMs` later are left. Later calls join the first.
   */
  drain(patienceMs: number): Promise<void> {
    this.ending ??= 'draining';
    this.stopTaking();
    this.draining ??= this.waitThenHandBack(patienceMs);
    return this.draining;
  }

  /**
   * Stops every running attempt now (handed back, `lost`), and every one that still arrives; then closes the
   * consumer and the stop watcher. Shortens a drain in progress. Idempotent and bounded.
   */
  close(): Promise<void> {
    this.ending = 'closing';
    for (const run of this.runs.values()) this.stopRun(run, 'closed');
    this.closing ??= (async () => {
      await this.drain(0);
      this.stopTaking();
      await runCleanups(
        [
          ['queue consumer', () => this.consumerStopped],
          ['stop watcher', () => this.stopWatcher?.close()],
        ],
        this.opts.logger,
      );
    })();
    return this.closing;
  }

  private async waitThenHandBack(patienceMs: number): Promise<void> {
    this.drainPatienceMs = patienceMs;
    const log = this.opts.logger;
    if (this.runs.size > 0 && patienceMs > 0) {
      log(
        'info',
        `draining: no new trials; waiting up to ${Math.round(patienceMs / 1000)} s for ${this.runs.size} running trial(s)`,
      );
    }
    if (await settledWithin(() => this.allSettled(), patienceMs)) return;
    if (this.runs.size > 0) log('warn', `stopping ${this.runs.size} running trial(s) and handing them back`);
    for (const run of this.runs.values()) this.stopRun(run, 'drain-timeout');
    if (!(await settledWithin(() => this.allSettled(), this.closeTimeoutMs))) {
      log('error', `${this.runs.size} trial(s) did not stop within ${this.closeTimeoutMs} ms; leaving them`);
    }
  }

  private async allSettled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private track(work: Promise<void>): Promise<void> {
    this.inflight.add(work);
    const forget = () => this.inflight.delete(work);
    work.then(forget, forget);
    return work;
  }

  private async onJob(payload: TrialJob): Promise<void> {
    this.opts.onJobTaken?.();
    // Decided on arrival: a job taken before a drain began runs; one that slipped in after is handed back.
    const arrivedEnding = this.ending;
    this.taken++;
    if (this.opts.maxJobs !== undefined && this.taken >= this.opts.maxJobs) this.stopTaking();
    try {
      const parsed = parseTrialJob(payload);
      if (!parsed.ok) return await this.rejectJob(parsed);
      const slot = await this.slots.acquire();
      try {
        const { report, ran } = await this.runJob(parsed.job, slot, arrivedEnding);
        if (ran) this.opts.onAttemptEnded?.(report, parsed.job);
        // Handed back: the `lost` report is published; failing the job too marks it `handed back` in the
        // queue (watchLost fires), so the hand-back survives a report that never arrives. The scheduler
        // ignores whichever of the two comes second (a stale attempt).
        if (report.outcome === 'lost') throw new LostAttemptError(report.error ?? 'handed back by the agent');
      } finally {
        this.slots.release(slot);
      }
    } finally {
      this.done++;
      this.opts.onJobDone?.();
    }
  }

  /**
   * A payload that fails validation is ended, never retried: with its ids intact it is reported as a
   * `spawn-error` with the validation message; without them there is no stream to report on, so the
   * handler throws and the queue records the job as failed with that reason.
   */
  private async rejectJob(parsed: Extract<TrialJobParse, { ok: false }>): Promise<void> {
    this.opts.logger('error', parsed.message);
    if (!parsed.identity || !this.transport) throw new Error(parsed.message);
    const { sweepId, trialId, attempt } = parsed.identity;
    const { agentId } = this.opts;
    const now = Date.now();
    await this.transport.reports.publish(sweepId, [
      { type: 'started', trialId, attempt, agentId, at: now },
      { type: 'finished', trialId, attempt, agentId, at: now, result: endedWithoutExit('spawn-error', parsed.message) },
    ]);
  }

  private async runJob(
    job: TrialJob,
    slot: Slot,
    arrivedEnding: TrialTaker['ending'],
  ): Promise<{ report: FinishedReport; ran: boolean }> {
    const transport = this.transport as AgentTransport;
    const { agentId, placement, logger: log } = this.opts;
    const key = jobIdOf(job.trialId, job.attempt);
    const reporter = new TrialReporter(transport.reports, job, this.batch);
    const run: RunningTrial = { job, slot, abort: new AbortController(), cause: null, reporter, samples: 0 };
    this.runs.set(key, run);
    this.stopWatcher?.watch(job.trialId);
    let workspace: PinnedWorkspace | null = null;
    const finish = async (report: FinishedReport, ran: boolean) => {
      await reporter.finished(agentId, Date.now(), report);
      return { report, ran };
    };
    try {
      const refused = this.opts.refuse?.(job) ?? null;
      if (refused !== null) {
        log('error', `trial ${key}: not run: ${refused}`);
        reporter.started(agentId, Date.now());
        return await finish(endedWithoutExit('spawn-error', `not run on agent ${agentId}: ${refused}`), false);
      }
      // A pinned job runs in the submitter's tree rebuilt here; a failure to rebuild it ends the attempt
      // as a spawn-error (never retried: the same pins fail the same way on any agent).
      let workspaceProblem: string | null = null;
      const rebuild = placement.on === 'this-machine' ? placement.rebuildPinnedCode : undefined;
      if (job.pins?.code && rebuild) {
        try {
          workspace = await openPinnedWorkspace(job.pins, {
            workDir: this.opts.workDir,
            key,
            getBlob: (hash) => rebuild.getBlob(hash),
            ...(job.argv[0] && /python/.test(job.argv[0]) ? { python: job.argv[0] } : {}),
          });
        } catch (err) {
          workspaceProblem = describeWorkspaceError(err);
        }
      }
      reporter.started(agentId, Date.now(), workspace?.env);
      // An executor's pod publishes the attempt's metrics itself: `started` must be in the stream before them.
      if (placement.on === 'executor') await reporter.flush();
      if (workspaceProblem) {
        log('error', `trial ${key}: ${workspaceProblem}`);
        return await finish(endedWithoutExit('spawn-error', workspaceProblem), false);
      }
      const gpuProblem = placement.on === 'executor' ? null : gpuRequestProblem(job, slot, this.opts);
      if (gpuProblem) {
        log('error', `trial ${key}: ${gpuProblem}`);
        return await finish(endedWithoutExit('spawn-error', gpuProblem), false);
      }
      // A secret this machine may not give is the sweep's problem, not the machine's: never counted against it.
      const env = this.trialEnv(job, slot);
      if (!env.ok) {
        log('error', `trial ${key}: ${env.error}`);
        return await finish(endedWithoutExit('spawn-error', env.error), false);
      }
      // A stop requested while the job waited in the queue: the runner sees the aborted signal and never spawns.
      if (await this.stopWatcher?.isStopRequested(job.trialId)) this.stopRun(run, 'stop-requested');
      if (arrivedEnding) this.stopRun(run, arrivedEnding === 'closing' ? 'closed' : 'arrived-draining');
      if (this.ending === 'closing') this.stopRun(run, 'closed');

      const result = await this.runAttempt(run, workspace?.cwd ?? job.cwd, env.env);
      const report = this.handedBackIfStoppedByUs(run, finishedReportOf(result));
      if (reporter.droppedPoints > 0) {
        log('warn', `trial ${key}: ${reporter.droppedPoints} metric points could not be published`);
      }
      log('info', `trial ${key} ${describeEnding(report)}`);
      return await finish(report, true);
    } finally {
      await workspace?.cleanup();
      this.runs.delete(key);
      if (![...this.runs.values()].some((r) => r.job.trialId === job.trialId)) this.stopWatcher?.unwatch(job.trialId);
    }
  }

  /**
   * The sweep's env for an attempt run here, its secrets read from this machine's environment; for an
   * executor only the check that it can give them (its pod reads the values), so `env` is undefined.
   */
  private trialEnv(job: TrialJob, slot: Slot): ResolvedTrialEnv | { ok: true; env: undefined } {
    const { placement, agentId } = this.opts;
    if (placement.on === 'executor') {
      const policy = placement.executor.secretPolicy ?? agentSecretPolicy([]);
      const refused = refusedSecret(job.env, policy, policy.where ?? `agent ${agentId}`);
      return refused === null ? { ok: true, env: undefined } : { ok: false, error: refused };
    }
    const policy = placement.secrets ?? agentSecretPolicy([]);
    return resolveTrialEnv(slotEnv(job, slot), policy, process.env, policy.where ?? `agent ${agentId}`);
  }

  /** The attempt itself, with its output streamed to the LogStream when asked. */
  private async runAttempt(
    run: RunningTrial,
    cwd: string,
    env: Record<string, string> | undefined,
  ): Promise<AttemptResult> {
    const { job, slot, reporter } = run;
    const { agentId, placement } = this.opts;
    const key = jobIdOf(job.trialId, job.attempt);
    const where = slot.gpu === null ? `slot ${slot.index}` : `slot ${slot.index}, GPU ${slot.gpu}`;
    const liveLog =
      this.opts.streamLogs === false
        ? null
        : new LiveLog(
            (text) => (this.transport as AgentTransport).logs.append(job.trialId, text),
            `[hyperfleet] attempt ${job.attempt} on agent ${agentId} (${where})\n`,
          );
    try {
      const options: RunTrialOptions = {
        sweepId: job.sweepId,
        trialId: job.trialId,
        argv: job.argv,
        cwd,
        ...(env === undefined ? {} : { env }),
        params: job.params,
        seed: job.seed,
        trialDir: this.opts.trialDir?.(job) ?? join(this.opts.workDir, job.sweepId, key),
        timeoutMs: job.timeoutMs,
        killGraceMs: job.killGraceMs,
        metrics: job.metrics,
        ...(liveLog ? { onOutput: (chunk: Buffer) => liveLog.write(chunk) } : {}),
        onMetrics: (points) => reporter.addPoints(points),
        signal: run.abort.signal,
        gpus: slotGpus(job, slot),
      };
      if (placement.on === 'executor') return await placement.executor.runAttempt(job, options);
      return await (placement.runTrial ?? runTrial)(options);
    } finally {
      await liveLog?.close();
    }
  }

  /** Stopped by this agent's own ending (not by a stop request): the attempt is handed back to run elsewhere. */
  private handedBackIfStoppedByUs(run: RunningTrial, report: FinishedReport): FinishedReport {
    if (report.outcome !== 'stopped' || run.cause === null || run.cause === 'stop-requested') return report;
    const why =
      run.cause === 'closed'
        ? 'the agent was closed'
        : run.cause === 'drain-timeout'
          ? `it did not finish within the ${Math.round(this.drainPatienceMs / 1000)} s drain timeout`
          : 'it arrived after the agent began draining';
    return {
      ...report,
      outcome: 'lost',
      error: `handed back by agent ${this.opts.agentId} (${this.opts.host}) shutting down: ${why}`,
    };
  }

  private stopRun(run: RunningTrial, cause: StopCause): void {
    // A stop request (cancel, early stop) wins over shutdown: that trial must not be run again.
    if (cause === 'stop-requested' || run.cause === null) run.cause = cause;
    if (!run.abort.signal.aborted) {
      const key = jobIdOf(run.job.trialId, run.job.attempt);
      const why = cause === 'stop-requested' ? 'stop requested' : cause === 'closed' ? 'agent close' : 'agent drain';
      this.opts.logger('info', `trial ${key}: stopping (${why})`);
      run.abort.abort();
    }
  }
}

function attemptOf(run: RunningTrial): RunningAttempt {
  return { trialId: run.job.trialId, attempt: run.job.attempt, slot: run.slot.index, gpu: run.slot.gpu };
}
