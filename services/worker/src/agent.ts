import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { type RunTrialOptions, runTrial } from '@hyperfleet/runner';
import {
  type ConsumerHandle,
  type FinishedReport,
  jobIdOf,
  LostAttemptError,
  type TrialJob,
} from '@hyperfleet/transport';
import { AGENT_ERROR_CODES, AgentError } from './agent-error';
import type { AgentExit, AgentLogger, AgentOptions, AgentTransport, AttemptResult } from './agent-options';
import { AGENT_VERSION } from './agent-version';
import {
  type AgentStatus,
  ControllerClient,
  type HeartbeatBody,
  type RegisterBody,
  type Registration,
  registerWithRetry,
} from './controller-client';
import { DEFAULT_BREAKER, FailureBreaker } from './failure-breaker';
import type { GpuInfo } from './gpu-info';
import { GpuSampler } from './gpu-sampler';
import { LiveLog } from './live-log';
import { queryGpus, resolveGpuSelection } from './nvidia-smi';
import { describeWorkspaceError, openPinnedWorkspace, type PinnedWorkspace } from './pinned-workspace';
import { type Slot, SlotPool } from './slot-pool';
import { StopWatcher } from './stop-watcher';
import { parseTrialJob, type TrialJobParse } from './trial-job-schema';
import { type BatchOptions, DEFAULT_BATCH, TrialReporter } from './trial-reporter';

export type AgentState = 'created' | 'starting' | 'running' | 'paused' | 'draining' | 'closed';

export interface AgentSnapshot {
  agentId: string;
  state: AgentState;
  pausedReason: string | null;
  slots: number;
  running: Array<{ trialId: string; attempt: number; slot: number; gpu: number | null }>;
  gpus: GpuInfo[];
  trialsRun: number;
}

export interface Agent {
  /** Detects GPUs, registers (retrying an unreachable server up to a bound), then takes trials. */
  start(): Promise<Registration>;
  /** No new trials; running ones get `drainTimeoutMs`, then are stopped and reported `lost` (handed back). */
  drain(): Promise<AgentExit>;
  /** Stops everything now: running trials are stopped and reported `lost`. Idempotent and bounded. */
  close(): Promise<void>;
  /** Resolves when the agent stopped: count reached, idle, drained or closed. */
  readonly done: Promise<AgentExit>;
  snapshot(): AgentSnapshot;
}

export function createAgent(opts: AgentOptions): Agent {
  return new HyperfleetAgent(opts);
}

/** Why a running trial was stopped by the agent; decides between `stopped` and `lost`. */
type StopCause = 'stop' | 'drain' | 'close';

interface RunningTrial {
  job: TrialJob;
  slot: Slot;
  abort: AbortController;
  cause: StopCause | null;
  reporter: TrialReporter;
  gpuSamples: number;
}

const defaultLogger: AgentLogger = (level, message) => {
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
};

class HyperfleetAgent implements Agent {
  readonly done: Promise<AgentExit>;
  private resolveDone!: (exit: AgentExit) => void;
  private state: AgentState = 'created';
  private agentId: string;
  private readonly pool: string;
  private readonly host: string;
  private readonly log: AgentLogger;
  private readonly client: ControllerClient;
  private readonly breaker: FailureBreaker;
  private readonly drainTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly batch: BatchOptions;
  /** Where pinned workspaces and trial directories go (resolved once: the agent's cwd at start). */
  private readonly workDir: string;
  private slots: SlotPool = SlotPool.cpu(1);
  private gpus: GpuInfo[] = [];
  private gpuIndices: number[] = [];
  private registration: Registration | null = null;
  private transport: AgentTransport | null = null;
  private handle: ConsumerHandle | null = null;
  private consumerStopped: Promise<void> = Promise.resolve();
  private stopWatcher: StopWatcher | null = null;
  private sampler: GpuSampler | null = null;
  private readonly running = new Map<string, RunningTrial>();
  private readonly inflight = new Set<Promise<void>>();
  private pausedReason: string | null = null;
  private taken = 0;
  private trialsRun = 0;
  private lastActivity = Date.now();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private resumeTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight: Promise<void> | null = null;
  private heartbeatAgain = false;
  private closing = false;
  private heartbeatFailing = false;
  private readonly startAbort = new AbortController();
  private starting: Promise<Registration> | null = null;
  private shuttingDown: Promise<AgentExit> | null = null;
  private tornDown: Promise<void> | null = null;

  constructor(private readonly opts: AgentOptions) {
    validateOptions(opts);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.log = opts.logger ?? defaultLogger;
    this.pool = opts.pool ?? 'default';
    this.host = opts.host ?? hostname();
    this.agentId = opts.agentId ?? defaultAgentId(this.host);
    this.client = new ControllerClient({ serverUrl: opts.serverUrl, token: opts.token });
    this.breaker = new FailureBreaker({ ...DEFAULT_BREAKER, ...opts.breaker });
    this.drainTimeoutMs = opts.drainTimeoutMs ?? 60_000;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 15_000;
    this.batch = { ...DEFAULT_BATCH, ...opts.batch };
    this.workDir = resolve(opts.workDir ?? join('.hyperfleet', 'agent-runs'));
  }

  start(): Promise<Registration> {
    this.starting ??= this.startOnce().catch(async (error) => {
      await this.teardown();
      this.state = 'closed';
      this.resolveDone({ reason: 'closed', trialsRun: this.trialsRun });
      throw error;
    });
    return this.starting;
  }

  drain(): Promise<AgentExit> {
    if (!this.starting) return this.closeUnstarted();
    // Still registering (a server that is down): stop retrying rather than wait out the start-up bound.
    if (this.state === 'starting') this.startAbort.abort();
    return this.shutdown('drained', this.drainTimeoutMs);
  }

  async close(): Promise<void> {
    if (!this.starting) {
      await this.closeUnstarted();
      return;
    }
    this.closing = true;
    this.startAbort.abort();
    // Hurry a drain along (or start one with no patience): every running trial is stopped now.
    for (const run of this.running.values()) this.stopRun(run, 'close');
    await this.shutdown('closed', 0);
  }

  snapshot(): AgentSnapshot {
    return {
      agentId: this.agentId,
      state: this.state,
      pausedReason: this.pausedReason,
      slots: this.slots.size,
      running: this.runningList(),
      gpus: this.gpus,
      trialsRun: this.trialsRun,
    };
  }

  // ---- start-up ----------------------------------------------------------------------------------

  private async startOnce(): Promise<Registration> {
    this.state = 'starting';
    if (this.opts.local) return this.startLocal(this.opts.local.transport);
    await this.detectSlots();
    const registration = await registerWithRetry(this.client, this.registerBody(), {
      maxWaitMs: this.opts.startupRetryMs ?? 60_000,
      signal: this.startAbort.signal,
      onRetry: (message, delayMs) => this.log('warn', `${message}; retrying in ${(delayMs / 1000).toFixed(1)} s`),
    });
    if (this.startAbort.signal.aborted) throw new Error('agent closed while starting');
    this.registration = registration;
    this.agentId = registration.agentId;
    this.transport = await this.opts.transportFactory(registration);
    this.watchStops(this.transport);
    if (this.gpuIndices.length > 0 && this.gpus.length > 0) {
      this.sampler = new GpuSampler(
        this.gpus,
        () => this.queryGpus(),
        this.opts.gpuSampleMs ?? 5_000,
        (gpus) => this.onGpuSample(gpus),
        (message) => this.log('warn', `GPU sampling failed: ${message}`),
      );
      this.sampler.start();
    }
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), registration.heartbeatMs);
    if (this.opts.exitWhenIdleMs !== undefined) {
      const idleMs = this.opts.exitWhenIdleMs;
      this.idleTimer = setInterval(() => this.checkIdle(idleMs), Math.max(20, Math.min(1_000, idleMs / 4)));
    }
    this.state = 'running';
    this.lastActivity = Date.now();
    this.startConsuming();
    const what = this.gpuIndices.length > 0 ? `GPU ${this.gpuIndices.join(', ')}` : `${this.slots.size} slot(s)`;
    this.log('info', `agent ${this.agentId} registered with ${this.client.serverUrl}: pool ${this.pool}, ${what}`);
    return registration;
  }

  /** Embedded mode: the transport is given, and there is no server to register with or heartbeat to. */
  private startLocal(transport: AgentTransport): Registration {
    this.slots = SlotPool.cpu(this.opts.slots ?? 1);
    this.transport = transport;
    this.watchStops(transport);
    this.state = 'running';
    this.lastActivity = Date.now();
    this.startConsuming();
    return { agentId: this.agentId, redisUrl: '', heartbeatMs: 0, queuePrefix: '' };
  }

  private watchStops(transport: AgentTransport): void {
    this.stopWatcher = new StopWatcher(
      transport.control,
      (trialId) => {
        for (const run of this.running.values()) if (run.job.trialId === trialId) this.stopRun(run, 'stop');
      },
      this.opts.stopCheckMs ?? 500,
    );
    this.stopWatcher.start();
  }

  private async detectSlots(): Promise<void> {
    if (this.opts.gpus === undefined) {
      this.slots = SlotPool.cpu(this.opts.slots ?? 1);
      return;
    }
    const selection = await resolveGpuSelection(this.opts.gpus, () => queryGpus(this.nvidiaSmiOptions()));
    if (selection.warning) this.log('warn', selection.warning);
    this.gpuIndices = selection.indices;
    this.gpus = selection.gpus;
    this.slots = SlotPool.gpus(selection.indices);
    const names = selection.gpus.map((g) => `${g.index}: ${g.name}`).join('; ');
    this.log('info', `GPU slots: ${selection.indices.join(', ')}${names ? ` (${names})` : ''}`);
  }

  private nvidiaSmiOptions() {
    return this.opts.nvidiaSmi === undefined ? {} : { command: this.opts.nvidiaSmi };
  }

  private async queryGpus(): Promise<GpuInfo[]> {
    const gpus = await queryGpus(this.nvidiaSmiOptions());
    return gpus.filter((g) => this.gpuIndices.includes(g.index));
  }

  private registerBody(): RegisterBody {
    return {
      agentId: this.agentId,
      host: this.host,
      pool: this.pool,
      slots: this.slots.size,
      gpus: this.gpus,
      version: this.opts.version ?? AGENT_VERSION,
    };
  }

  // ---- taking jobs -------------------------------------------------------------------------------

  private startConsuming(): void {
    if (!this.transport || this.handle) return;
    const left = this.opts.count === undefined ? Number.POSITIVE_INFINITY : this.opts.count - this.taken;
    const concurrency = Math.min(this.slots.size, left);
    if (concurrency <= 0) return;
    this.handle = this.transport.consumer.consume({ pool: this.pool, concurrency, agentId: this.agentId }, (job) =>
      this.track(this.onJob(job)),
    );
  }

  /** Stop taking jobs; the old handle drains (its running handlers finish) and is then closed. */
  private stopConsuming(): void {
    const handle = this.handle;
    if (!handle) return;
    this.handle = null;
    const previous = this.consumerStopped;
    this.consumerStopped = (async () => {
      await previous;
      try {
        await handle.drain();
      } catch (error) {
        this.log('warn', `draining the queue consumer failed: ${describe(error)}`);
      }
      await handle.close().catch((error) => this.log('warn', `closing the queue consumer failed: ${describe(error)}`));
    })();
  }

  private track(work: Promise<void>): Promise<void> {
    this.inflight.add(work);
    const forget = () => this.inflight.delete(work);
    work.then(forget, forget);
    return work;
  }

  private async onJob(payload: TrialJob): Promise<void> {
    this.lastActivity = Date.now();
    // Decided on arrival: a job taken before a drain began runs; one that slipped in after is handed back.
    const arrivedDraining = this.state === 'draining' || this.state === 'closed';
    this.taken++;
    if (this.opts.count !== undefined && this.taken >= this.opts.count) this.stopConsuming();
    try {
      const parsed = parseTrialJob(payload);
      if (!parsed.ok) return await this.rejectJob(parsed);
      const slot = await this.slots.acquire();
      try {
        const { report, countsForBreaker } = await this.runJob(parsed.job, slot, arrivedDraining);
        if (countsForBreaker && !this.opts.local) this.recordForBreaker(report);
        // Handed back: the `lost` report is published; failing the job too marks it `handed back` in the
        // queue (watchLost fires), so the hand-back survives a report that never arrives. The scheduler
        // ignores whichever of the two comes second (a stale attempt).
        if (report.outcome === 'lost') throw new LostAttemptError(report.error ?? 'handed back by the agent');
      } finally {
        this.slots.release(slot);
      }
    } finally {
      this.trialsRun++;
      this.lastActivity = Date.now();
      this.maybeFinishCount();
    }
  }

  /**
   * A payload that fails validation is ended, never retried: with its ids intact it is reported as a
   * `spawn-error` with the validation message; without them there is no stream to report on, so the
   * handler throws and the queue records the job as failed with that reason.
   */
  private async rejectJob(parsed: Extract<TrialJobParse, { ok: false }>): Promise<void> {
    this.log('error', parsed.message);
    if (!parsed.identity || !this.transport) throw new Error(parsed.message);
    const { sweepId, trialId, attempt } = parsed.identity;
    const now = Date.now();
    await this.transport.reports.publish(sweepId, [
      { type: 'started', trialId, attempt, agentId: this.agentId, at: now },
      {
        type: 'finished',
        trialId,
        attempt,
        agentId: this.agentId,
        at: now,
        result: emptyResult('spawn-error', parsed.message),
      },
    ]);
  }

  private async runJob(
    job: TrialJob,
    slot: Slot,
    arrivedDraining: boolean,
  ): Promise<{ report: FinishedReport; countsForBreaker: boolean }> {
    const transport = this.transport as AgentTransport;
    const key = jobIdOf(job.trialId, job.attempt);
    const reporter = new TrialReporter(transport.reports, job, this.batch);
    const run: RunningTrial = { job, slot, abort: new AbortController(), cause: null, reporter, gpuSamples: 0 };
    this.running.set(key, run);
    this.stopWatcher?.watch(job.trialId);
    let workspace: PinnedWorkspace | null = null;
    try {
      // A pinned job runs in the submitter's tree rebuilt here; a failure to rebuild it ends the attempt
      // as a spawn-error (never retried: the same pins fail the same way on any agent).
      let workspaceProblem: string | null = null;
      // Embedded trials run in the submitter's own tree: the pins are only its record. An executor's
      // attempts materialize them where they run (the pod).
      if (job.pins?.code && !this.opts.local && !this.opts.executor) {
        try {
          workspace = await openPinnedWorkspace(job.pins, {
            workDir: this.workDir,
            key,
            getBlob: (hash) => this.client.getBlob(hash),
            ...(job.argv[0] && /python/.test(job.argv[0]) ? { python: job.argv[0] } : {}),
          });
        } catch (err) {
          workspaceProblem = describeWorkspaceError(err);
        }
      }
      reporter.started(this.agentId, Date.now(), workspace?.env);
      // An executor's pod publishes the attempt's metrics itself: `started` must be in the stream before them.
      if (this.opts.executor) await reporter.flush();
      const finish = async (report: FinishedReport) => {
        await reporter.finished(this.agentId, Date.now(), report);
        return report;
      };
      if (workspaceProblem) {
        this.log('error', `trial ${key}: ${workspaceProblem}`);
        return { report: await finish(emptyResult('spawn-error', workspaceProblem)), countsForBreaker: false };
      }

      const gpuProblem = this.opts.executor ? null : this.gpuRequestProblem(job, slot);
      if (gpuProblem) {
        this.log('error', `trial ${key}: ${gpuProblem}`);
        return { report: await finish(emptyResult('spawn-error', gpuProblem)), countsForBreaker: false };
      }
      // A stop requested while the job waited in the queue: the runner sees the aborted signal and never spawns.
      if (await this.stopWatcher?.isStopRequested(job.trialId)) this.stopRun(run, 'stop');
      if (arrivedDraining) this.stopRun(run, 'drain');
      if (this.closing) this.stopRun(run, 'close');

      const trialDir = this.opts.local?.trialDir?.(job) ?? join(this.workDir, job.sweepId, key);
      // Embedded without a dashboard: nobody reads the stream, and output.log is on this disk already.
      const where = slot.gpu === null ? `slot ${slot.index}` : `slot ${slot.index}, GPU ${slot.gpu}`;
      const liveLog =
        this.opts.local && !this.opts.local.streamLogs
          ? null
          : new LiveLog(
              (text) => transport.logs.append(job.trialId, text),
              `[hyperfleet] attempt ${job.attempt} on agent ${this.agentId} (${where})\n`,
            );
      let result: AttemptResult;
      try {
        const options: RunTrialOptions = {
          sweepId: job.sweepId,
          trialId: job.trialId,
          argv: job.argv,
          cwd: workspace?.cwd ?? job.cwd,
          env: this.trialEnv(job, slot),
          params: job.params,
          seed: job.seed,
          trialDir,
          timeoutMs: job.timeoutMs,
          killGraceMs: job.killGraceMs,
          metrics: job.metrics,
          ...(liveLog ? { onOutput: (chunk: Buffer) => liveLog.write(chunk) } : {}),
          onMetrics: (points) => reporter.addPoints(points),
          signal: run.abort.signal,
          gpus: this.trialGpus(job, slot),
        };
        const executor = this.opts.executor;
        result = executor ? await executor.runAttempt(job, options) : await (this.opts.runTrial ?? runTrial)(options);
      } finally {
        await liveLog?.close();
      }
      const report = this.toFinished(run, result);
      if (reporter.droppedPoints > 0) {
        this.log('warn', `trial ${key}: ${reporter.droppedPoints} metric points could not be published`);
      }
      this.log('info', `trial ${key} ${describeEnding(report)}`);
      return { report: await finish(report), countsForBreaker: true };
    } finally {
      await workspace?.cleanup();
      this.running.delete(key);
      if (![...this.running.values()].some((r) => r.job.trialId === job.trialId))
        this.stopWatcher?.unwatch(job.trialId);
    }
  }

  /** A trial asking for more GPUs than a slot gives is a configuration problem: say so instead of running it. */
  private gpuRequestProblem(job: TrialJob, slot: Slot): string | null {
    const wanted = job.resources?.gpus;
    if (wanted === undefined || wanted === 0) return null;
    if (slot.gpu === null) {
      return `the trial asks for ${wanted} GPU(s) but agent ${this.agentId} (pool ${this.pool}) has none: submit the sweep to a GPU pool`;
    }
    if (wanted > 1) return `the trial asks for ${wanted} GPUs but agents give each trial one GPU (one slot per GPU)`;
    return null;
  }

  /** CUDA numbers GPUs fastest-first unless told otherwise; nvidia-smi's indices are PCI bus order. */
  private trialEnv(job: TrialJob, slot: Slot): Record<string, string> | undefined {
    if (slot.gpu === null) return job.env;
    return { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', ...job.env };
  }

  private trialGpus(job: TrialJob, slot: Slot): string[] | undefined {
    if (slot.gpu === null) return undefined;
    // resources.gpus: 0 on a GPU agent: hide every GPU (an empty CUDA_VISIBLE_DEVICES).
    return job.resources?.gpus === 0 ? [] : [String(slot.gpu)];
  }

  private toFinished(run: RunningTrial, result: AttemptResult): FinishedReport {
    const base: FinishedReport = {
      outcome: result.outcome,
      exitCode: result.exitCode,
      signal: result.signal,
      error: result.error,
      durationMs: result.durationMs,
      finalMetrics: result.finalMetrics,
      malformedLines: result.malformedLines,
    };
    // Stopped by the agent's own shutdown (not by a stop request): the attempt is handed back.
    if (result.outcome === 'stopped' && (run.cause === 'drain' || run.cause === 'close')) {
      const why =
        run.cause === 'drain'
          ? `it did not finish within the ${Math.round(this.drainTimeoutMs / 1000)} s drain timeout`
          : 'the agent was closed';
      return {
        ...base,
        outcome: 'lost',
        error: `handed back by agent ${this.agentId} (${this.host}) shutting down: ${why}`,
      };
    }
    return base;
  }

  private stopRun(run: RunningTrial, cause: StopCause): void {
    // A stop request (cancel, early stop) wins over shutdown: that trial must not be run again.
    if (cause === 'stop' || run.cause === null) run.cause = cause;
    if (!run.abort.signal.aborted) {
      const key = jobIdOf(run.job.trialId, run.job.attempt);
      this.log('info', `trial ${key}: stopping (${cause === 'stop' ? 'stop requested' : `agent ${cause}`})`);
      run.abort.abort();
    }
  }

  private onGpuSample(gpus: GpuInfo[]): void {
    this.gpus = gpus;
    const now = Date.now();
    for (const run of this.running.values()) {
      const gpu = gpus.find((g) => g.index === run.slot.gpu);
      if (!gpu) continue;
      const step = run.gpuSamples++;
      const points = [];
      if (gpu.utilizationPct !== null) {
        points.push({ key: 'sys/gpu_util', step, value: gpu.utilizationPct, timestamp: now });
      }
      if (gpu.memoryUsedMiB !== null) {
        points.push({ key: 'sys/gpu_mem_used_mib', step, value: gpu.memoryUsedMiB, timestamp: now });
      }
      run.reporter.addPoints(points);
    }
  }

  // ---- breaker -----------------------------------------------------------------------------------

  private recordForBreaker(report: FinishedReport): void {
    const reason = this.breaker.record(report);
    if (!reason || this.state !== 'running') return;
    this.state = 'paused';
    this.pausedReason = reason;
    const cooldown = this.breaker.options.cooldownMs;
    this.log(
      'error',
      `pausing: ${reason}. ${
        cooldown === null
          ? 'Staying paused until the agent is restarted: fix the machine (drivers, interpreter, libraries) first.'
          : `Taking no trials for ${Math.round(cooldown / 1000)} s, then trying one.`
      }`,
    );
    this.stopConsuming();
    void this.heartbeat();
    if (cooldown !== null) this.resumeTimer = setTimeout(() => void this.resume(), cooldown);
  }

  private async resume(): Promise<void> {
    this.resumeTimer = null;
    if (this.state !== 'paused') return;
    await this.consumerStopped;
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.pausedReason = null;
    this.breaker.halfOpen();
    this.lastActivity = Date.now();
    this.log('info', 'cool-down over: taking trials again (one more start failure pauses the agent again)');
    this.startConsuming();
    void this.heartbeat();
  }

  // ---- exits -------------------------------------------------------------------------------------

  private maybeFinishCount(): void {
    if (this.opts.count === undefined || this.taken < this.opts.count || this.running.size > 0) return;
    if (this.state === 'running' || this.state === 'paused') {
      this.log('info', `took ${this.opts.count} trial(s) (--count): exiting`);
      void this.shutdown('count', Number.POSITIVE_INFINITY);
    }
  }

  private checkIdle(idleMs: number): void {
    if (this.state !== 'running' || this.running.size > 0 || this.inflight.size > 0) return;
    if (Date.now() - this.lastActivity < idleMs) return;
    this.log('info', `no trial for ${Math.round(idleMs / 1000)} s (--exit-when-idle): exiting`);
    void this.shutdown('idle', Number.POSITIVE_INFINITY);
  }

  /**
   * The one way out: no new jobs, give running trials `patienceMs`, then stop them (reported `lost`), tear
   * everything down and resolve `done`. Later calls join the first (close() shortens its wait by stopping
   * the trials itself).
   */
  private shutdown(reason: AgentExit['reason'], patienceMs: number): Promise<AgentExit> {
    this.shuttingDown ??= (async () => {
      await this.starting?.catch(() => {});
      if (this.state === 'closed') return { reason: 'closed' as const, trialsRun: this.trialsRun };
      this.state = 'draining';
      this.clearTimers();
      this.stopConsuming();
      void this.heartbeat();
      if (this.running.size > 0 && patienceMs > 0) {
        this.log(
          'info',
          `draining: no new trials; waiting up to ${Math.round(patienceMs / 1000)} s for ${this.running.size} running trial(s)`,
        );
      }
      if (!(await settledWithin(() => this.allSettled(), patienceMs))) {
        if (this.running.size > 0)
          this.log('warn', `stopping ${this.running.size} running trial(s) and handing them back`);
        for (const run of this.running.values()) this.stopRun(run, 'drain');
        if (!(await settledWithin(() => this.allSettled(), this.closeTimeoutMs))) {
          this.log(
            'error',
            `${this.running.size} trial(s) did not stop within ${this.closeTimeoutMs} ms; leaving them`,
          );
        }
      }
      await this.teardown();
      this.state = 'closed';
      const exit: AgentExit = { reason, trialsRun: this.trialsRun };
      this.resolveDone(exit);
      return exit;
    })();
    return this.shuttingDown;
  }

  private async closeUnstarted(): Promise<AgentExit> {
    this.state = 'closed';
    const exit: AgentExit = { reason: 'closed', trialsRun: 0 };
    this.resolveDone(exit);
    return exit;
  }

  private async allSettled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Every cleanup runs, each bounded, even if one throws. Idempotent. */
  private teardown(): Promise<void> {
    this.tornDown ??= (async () => {
      this.clearTimers();
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = null;
      this.stopConsuming();
      const steps: Array<[string, () => Promise<unknown> | undefined]> = [
        ['queue consumer', () => this.consumerStopped],
        // The last heartbeat says "draining" (sent when the drain began): let it arrive.
        [
          'last heartbeat',
          async () => {
            while (this.heartbeatInFlight) await this.heartbeatInFlight;
          },
        ],
        ['stop watcher', () => this.stopWatcher?.close()],
        ['GPU sampler', () => this.sampler?.stop()],
        // A local agent's transport belongs to whoever gave it.
        ['transport', () => (this.opts.local ? undefined : this.transport?.close())],
      ];
      for (const [name, step] of steps) {
        try {
          if (!(await settledWithin(async () => step(), 5_000))) this.log('warn', `closing the ${name} timed out`);
        } catch (error) {
          this.log('warn', `closing the ${name} failed: ${describe(error)}`);
        }
      }
    })();
    return this.tornDown;
  }

  private clearTimers(): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.idleTimer = null;
    this.resumeTimer = null;
  }

  // ---- heartbeat ---------------------------------------------------------------------------------

  private runningList(): AgentSnapshot['running'] {
    return [...this.running.values()].map((r) => ({
      trialId: r.job.trialId,
      attempt: r.job.attempt,
      slot: r.slot.index,
      gpu: r.slot.gpu,
    }));
  }

  private heartbeatBody(): HeartbeatBody {
    const status: AgentStatus =
      this.state === 'paused'
        ? 'paused'
        : this.state === 'draining' || this.state === 'closed'
          ? 'draining'
          : 'running';
    return {
      running: this.runningList(),
      gpus: this.gpus,
      draining: status === 'draining',
      status,
      reason: this.pausedReason,
      pool: this.pool,
      slots: this.slots.size,
      host: this.host,
    };
  }

  /** Sends one now; a call while one is in flight sends another right after it (the news may be newer). */
  private heartbeat(): Promise<void> {
    if (!this.registration) return Promise.resolve();
    if (this.heartbeatInFlight) {
      this.heartbeatAgain = true;
      return this.heartbeatInFlight;
    }
    const sending = this.sendHeartbeat().finally(() => {
      this.heartbeatInFlight = null;
      if (this.heartbeatAgain) {
        this.heartbeatAgain = false;
        void this.heartbeat();
      }
    });
    this.heartbeatInFlight = sending;
    return sending;
  }

  private async sendHeartbeat(): Promise<void> {
    try {
      const answer = await this.client.heartbeat(this.agentId, this.heartbeatBody());
      if (answer === 'unknown-agent') {
        // The controller forgot us (restart, Redis flushed, missed heartbeats): introduce ourselves again.
        this.log('warn', 'the server does not know this agent any more: registering again');
        await this.client.register(this.registerBody());
      }
      if (this.heartbeatFailing) this.log('info', 'heartbeats reach the server again');
      this.heartbeatFailing = false;
    } catch (error) {
      if (!this.heartbeatFailing) this.log('warn', `heartbeat failed (trials keep running): ${describe(error)}`);
      this.heartbeatFailing = true;
    }
  }
}

function validateOptions(opts: AgentOptions): void {
  const bad = (message: string) => new AgentError(AGENT_ERROR_CODES.badOptions, message);
  if (!opts.token) {
    throw new AgentError(AGENT_ERROR_CODES.badOptions, 'no token: pass --token or set HYPERFLEET_TOKEN', {
      hint: 'ask the server admin for a token with role worker',
    });
  }
  if (opts.gpus !== undefined && opts.slots !== undefined) {
    throw bad('use --slots (CPU slots) or --gpus (one slot per GPU), not both');
  }
  if (opts.slots !== undefined && (!Number.isInteger(opts.slots) || opts.slots < 1)) throw bad('--slots must be ≥ 1');
  if (opts.count !== undefined && (!Number.isInteger(opts.count) || opts.count < 1)) throw bad('--count must be ≥ 1');
  // Both end up in Redis keys and URLs.
  const safe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
  if (opts.pool !== undefined && !safe.test(opts.pool)) {
    throw bad(`--pool "${opts.pool}" must be letters, digits, ".", "_" or "-"`);
  }
  if (opts.agentId !== undefined && !safe.test(opts.agentId)) {
    throw bad(`--agent-id "${opts.agentId}" must be letters, digits, ".", "_" or "-"`);
  }
}

function defaultAgentId(host: string): string {
  const safe = host.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'agent';
  return `${safe}-${randomBytes(3).toString('hex')}`;
}

function emptyResult(outcome: FinishedReport['outcome'], error: string): FinishedReport {
  return { outcome, exitCode: null, signal: null, error, durationMs: 0, finalMetrics: {}, malformedLines: 0 };
}

function describeEnding(report: FinishedReport): string {
  const how =
    report.outcome === 'exited'
      ? report.signal
        ? `killed by ${report.signal}`
        : `exited ${report.exitCode}`
      : report.outcome;
  return `${how} after ${(report.durationMs / 1000).toFixed(1)} s${report.error ? `: ${report.error}` : ''}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when `work()` settles within `ms` (Infinity = wait for it). */
async function settledWithin(work: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    // setTimeout(Infinity) would fire at once.
    if (Number.isFinite(ms)) timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work().then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
