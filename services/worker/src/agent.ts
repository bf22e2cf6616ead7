import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type AgentLogger,
  type AgentTransport,
  type AttemptPlacement,
  agentSecretPolicy,
  ReportLedger,
  type RunningAttempt,
  runCleanups,
  SlotPool,
  stderrAgentLogger,
  TrialTaker,
} from '@hyperfleet/agent-core';
import type { FinishedReport } from '@hyperfleet/transport';
import { type AgentExit, type AgentOptions, defaultAgentId, validateAgentOptions } from './agent-options';
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
import { detectSlots, gpuUsePoints, querySelectedGpus } from './gpu-slots';
import { Heartbeats } from './heartbeats';

export type AgentState = 'created' | 'starting' | 'running' | 'draining' | 'closed';

export interface AgentSnapshot {
  agentId: string;
  state: AgentState;
  /** Sweeps paused on this agent by the failure breaker (their trials taken here fail with the reason). */
  pausedSweeps: { sweepId: string; reason: string }[];
  slots: number;
  running: RunningAttempt[];
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

/**
 * A fleet agent: agent-core's TrialTaker (take a job → run it → report) wrapped in what a machine of the
 * fleet adds — registration and heartbeats, GPU slots and their use samples, the failure breaker that
 * pauses a sweep that keeps failing to start here (for that sweep only), and the ways out (`--count`, `--exit-when-idle`, drain, close).
 */
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
  /** Where pinned workspaces and trial directories go (resolved once: the agent's cwd at start). */
  private readonly workDir: string;
  private slots = SlotPool.cpu(1);
  private gpus: GpuInfo[] = [];
  private transport: AgentTransport | null = null;
  private taker: TrialTaker | null = null;
  private heartbeats: Heartbeats | null = null;
  private sampler: GpuSampler | null = null;
  private lastActivity = Date.now();
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly startAbort = new AbortController();
  private starting: Promise<Registration> | null = null;
  private shuttingDown: Promise<AgentExit> | null = null;
  private tornDown: Promise<void> | null = null;

  constructor(private readonly opts: AgentOptions) {
    validateAgentOptions(opts);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.log = opts.logger ?? stderrAgentLogger;
    this.pool = opts.pool ?? 'default';
    this.host = opts.host ?? hostname();
    this.agentId = opts.agentId ?? defaultAgentId(this.host);
    this.client = new ControllerClient({ serverUrl: opts.serverUrl, token: opts.token });
    this.breaker = new FailureBreaker({ ...DEFAULT_BREAKER, ...opts.breaker });
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
    return this.shutdown('drained', this.opts.drainTimeoutMs ?? 60_000);
  }

  async close(): Promise<void> {
    if (!this.starting) {
      await this.closeUnstarted();
      return;
    }
    this.startAbort.abort();
    // Hurries a drain along (or starts one with no patience): every running trial is stopped now.
    void this.taker?.close();
    await this.shutdown('closed', 0);
  }

  snapshot(): AgentSnapshot {
    return {
      agentId: this.agentId,
      state: this.state,
      pausedSweeps: this.breaker.paused(),
      slots: this.slots.size,
      running: this.taker?.running ?? [],
      gpus: this.gpus,
      trialsRun: this.trialsRun,
    };
  }

  private get trialsRun(): number {
    return this.taker?.jobsDone ?? 0;
  }

  // ---- start-up ----------------------------------------------------------------------------------

  private async startOnce(): Promise<Registration> {
    this.state = 'starting';
    const { slots, gpus, gpuIndices } = await detectSlots(this.opts, this.log);
    this.slots = slots;
    this.gpus = gpus;
    const registration = await registerWithRetry(this.client, this.registerBody(), {
      maxWaitMs: this.opts.startupRetryMs ?? 60_000,
      signal: this.startAbort.signal,
      onRetry: (message, delayMs) => this.log('warn', `${message}; retrying in ${(delayMs / 1000).toFixed(1)} s`),
    });
    if (this.startAbort.signal.aborted) throw new Error('agent closed while starting');
    this.agentId = registration.agentId;
    const transport = await this.opts.transportFactory(registration);
    const ledger = new ReportLedger(transport.reports);
    this.transport = {
      consumer: transport.consumer,
      control: transport.control,
      logs: transport.logs,
      reports: ledger,
      close: () => transport.close(),
    };
    this.taker = this.newTrialTaker();
    this.heartbeats = new Heartbeats(
      this.client,
      this.agentId,
      () => this.heartbeatBody(),
      () => this.registerBody(),
      this.log,
      () => this.replayReports(ledger),
      (error) => {
        this.log('error', `${error.message}${error.hint ? ` (${error.hint})` : ''}: stopping`);
        void this.close();
      },
    );
    if (gpuIndices.length > 0 && gpus.length > 0) {
      this.sampler = new GpuSampler(
        gpus,
        () => querySelectedGpus(this.opts, gpuIndices),
        this.opts.gpuSampleMs ?? 5_000,
        (sample) => this.onGpuSample(sample),
        (message) => this.log('warn', `GPU sampling failed: ${message}`),
      );
      this.sampler.start();
    }
    this.heartbeats.start(registration.heartbeatMs);
    if (this.opts.exitWhenIdleMs !== undefined) {
      const idleMs = this.opts.exitWhenIdleMs;
      this.idleTimer = setInterval(() => this.checkIdle(idleMs), Math.max(20, Math.min(1_000, idleMs / 4)));
    }
    this.state = 'running';
    this.lastActivity = Date.now();
    this.taker.start(this.transport, this.slots);
    const what = gpuIndices.length > 0 ? `GPU ${gpuIndices.join(', ')}` : `${this.slots.size} slot(s)`;
    this.log('info', `agent ${this.agentId} registered with ${this.client.serverUrl}: pool ${this.pool}, ${what}`);
    return registration;
  }

  private newTrialTaker(): TrialTaker {
    const { opts } = this;
    // The Kubernetes executor runs each attempt in a pod (which rebuilds the pins itself); otherwise a
    // slot of this machine runs it, in the pinned code rebuilt here with blobs from the controller.
    const placement: AttemptPlacement = opts.executor
      ? { on: 'executor', executor: opts.executor }
      : {
          on: 'this-machine',
          ...(opts.runTrial ? { runTrial: opts.runTrial } : {}),
          rebuildPinnedCode: { getBlob: (hash) => this.client.getBlob(hash) },
          secrets: agentSecretPolicy(opts.allowSecrets ?? []),
        };
    return new TrialTaker({
      agentId: this.agentId,
      host: this.host,
      pool: this.pool,
      workDir: this.workDir,
      placement,
      ...(opts.count === undefined ? {} : { maxJobs: opts.count }),
      ...(opts.batch ? { batch: opts.batch } : {}),
      ...(opts.stopCheckMs === undefined ? {} : { stopCheckMs: opts.stopCheckMs }),
      ...(opts.closeTimeoutMs === undefined ? {} : { closeTimeoutMs: opts.closeTimeoutMs }),
      logger: this.log,
      onJobTaken: () => {
        this.lastActivity = Date.now();
      },
      onAttemptEnded: (report, job) => this.recordForBreaker(job.sweepId, report),
      refuse: (job) => this.breaker.refusal(job.sweepId),
      onJobDone: () => {
        this.lastActivity = Date.now();
        this.maybeFinishCount();
      },
    });
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

  private heartbeatBody(): HeartbeatBody {
    const status: AgentStatus = this.state === 'draining' || this.state === 'closed' ? 'draining' : 'running';
    return {
      running: this.taker?.running ?? [],
      gpus: this.gpus,
      draining: status === 'draining',
      status,
      reason: this.pausedReason(),
      pool: this.pool,
      slots: this.slots.size,
      host: this.host,
    };
  }

  /** Each running trial gets its GPU's use as `sys/gpu_*` points. */
  private onGpuSample(gpus: GpuInfo[]): void {
    this.gpus = gpus;
    this.taker?.addSample(Date.now(), (attempt) => {
      const gpu = gpus.find((g) => g.index === attempt.gpu);
      return gpu ? gpuUsePoints(gpu) : null;
    });
  }

  /** What `agent ls` shows besides the state: the sweeps paused here, or null. */
  private pausedReason(): string | null {
    const paused = this.breaker.paused();
    if (paused.length === 0) return null;
    const text = `sweep(s) paused here: ${paused.map((p) => p.reason).join('; ')}`;
    return text.length > 2000 ? `${text.slice(0, 1997)}...` : text;
  }

  // ---- breaker -----------------------------------------------------------------------------------

  /** The server forgot this agent (Redis restarted empty?): send again the reports it may have lost with it. */
  private async replayReports(ledger: ReportLedger): Promise<void> {
    const sent = await ledger.replay();
    if (sent > 0) this.log('info', `registered again: re-sent ${sent} report(s) of recent attempts`);
    if (ledger.unreplayablePoints > 0) {
      this.log('warn', `${ledger.unreplayablePoints} metric points were past the replay limit and not re-sent`);
    }
  }

  /**
   * A sweep that keeps failing to start here is paused on this agent, for that sweep only: the agent goes on
   * taking every other sweep's trials, and ends the paused sweep's with the reason (see TrialTaker.refuse).
   */
  private recordForBreaker(sweepId: string, report: FinishedReport): void {
    const reason = this.breaker.record(sweepId, report);
    if (!reason) return;
    const cooldown = this.breaker.options.cooldownMs;
    this.log(
      'error',
      `pausing sweep ${sweepId} on this agent: ${reason}. ${
        cooldown === null
          ? 'Its trials taken here fail with this reason until the agent is restarted'
          : `Its trials taken here fail with this reason for ${Math.round(cooldown / 1000)} s, then one is tried again`
      }; other sweeps run as usual. Fix the sweep's program or command (or this machine's interpreter, libraries).`,
    );
    void this.heartbeats?.send();
  }

  // ---- exits -------------------------------------------------------------------------------------

  private maybeFinishCount(): void {
    const { count } = this.opts;
    const taker = this.taker;
    if (count === undefined || !taker || taker.jobsTaken < count || taker.running.length > 0) return;
    if (this.state === 'running') {
      this.log('info', `took ${count} trial(s) (--count): exiting`);
      void this.shutdown('count', Number.POSITIVE_INFINITY);
    }
  }

  private checkIdle(idleMs: number): void {
    if (this.state !== 'running' || this.taker?.busy) return;
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
      const drained = this.taker?.drain(patienceMs);
      void this.heartbeats?.send();
      await drained;
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

  /** Every cleanup runs, each bounded, even if one throws. Idempotent. */
  private teardown(): Promise<void> {
    this.tornDown ??= (async () => {
      this.clearTimers();
      await runCleanups(
        [
          ['trial taker', () => this.taker?.close()],
          // The last heartbeat says "draining" (sent when the drain began): let it arrive.
          ['last heartbeat', () => this.heartbeats?.stop()],
          ['GPU sampler', () => this.sampler?.stop()],
          ['transport', () => this.transport?.close()],
        ],
        this.log,
      );
    })();
    return this.tornDown;
  }

  private clearTimers(): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
  }
}
