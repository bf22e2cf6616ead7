import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { TrialJob } from '@hyperfleet/transport';
import { type AgentLogger, stderrAgentLogger } from './agent-logger';
import type { AgentTransport } from './agent-transport';
import { SlotPool } from './slot-pool';
import type { BatchOptions } from './trial-reporter';
import { EMBEDDED_SECRET_POLICY } from './trial-secrets';
import { type RunningAttempt, TrialTaker } from './trial-taker';

export interface LocalAgentOptions {
  /** The transport the sweep engine uses too. The agent never closes it: its owner does. */
  transport: AgentTransport;
  /** Default 'default'. */
  pool?: string;
  /** Trials at once. Default 1. */
  slots?: number;
  /** Default 'local'. */
  agentId?: string;
  /** Trial directories go to `<workDir>/<sweepId>/<trialId>.a<attempt>/` unless `trialDir` says otherwise. */
  workDir?: string;
  /** Where a trial's files go (params.json, output.log). */
  trialDir?: (job: TrialJob) => string;
  /** Stream each trial's output into the log stream (the dashboard's log tail reads it). Default false. */
  streamLogs?: boolean;
  /** On drain, how long running trials may take before they are stopped and handed back. Default 60_000. */
  drainTimeoutMs?: number;
  batch?: Partial<BatchOptions>;
  /** Period of the stop-key re-check. Default 500 ms. */
  stopCheckMs?: number;
  /** Bound for close() waiting on stopped trials (beyond their kill grace). Default 15_000 ms. */
  closeTimeoutMs?: number;
  logger?: AgentLogger;
}

export type LocalAgentState = 'created' | 'running' | 'draining' | 'closed';

export interface LocalAgentExit {
  reason: 'drained' | 'closed';
  /** Attempts this agent finished (any outcome). */
  trialsRun: number;
}

export interface LocalAgentSnapshot {
  agentId: string;
  state: LocalAgentState;
  slots: number;
  running: RunningAttempt[];
  trialsRun: number;
}

/**
 * The agent of embedded mode (`hyperfleet run`): it lives in the engine's process and takes jobs from the
 * transport it is given, at once. No server, so no registration, token or heartbeats; no GPU detection;
 * pins are not rebuilt (trials run in the submitter's own tree); and no failure breaker of its own (the
 * scheduler's breaker ends the sweep; pausing the only agent would just stall it).
 */
export class LocalAgent {
  readonly done: Promise<LocalAgentExit>;
  private resolveDone!: (exit: LocalAgentExit) => void;
  private state: LocalAgentState = 'created';
  private readonly taker: TrialTaker;
  private readonly slots: SlotPool;
  private shuttingDown: Promise<LocalAgentExit> | null = null;

  constructor(private readonly opts: LocalAgentOptions) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.slots = SlotPool.cpu(opts.slots ?? 1);
    this.taker = new TrialTaker({
      agentId: opts.agentId ?? 'local',
      host: hostname(),
      pool: opts.pool ?? 'default',
      workDir: resolve(opts.workDir ?? join('.hyperfleet', 'agent-runs')),
      ...(opts.trialDir ? { trialDir: opts.trialDir } : {}),
      // The user runs their own sweep: the secrets its env names come from their own environment.
      placement: { on: 'this-machine', secrets: EMBEDDED_SECRET_POLICY },
      streamLogs: opts.streamLogs ?? false,
      ...(opts.batch ? { batch: opts.batch } : {}),
      ...(opts.stopCheckMs === undefined ? {} : { stopCheckMs: opts.stopCheckMs }),
      ...(opts.closeTimeoutMs === undefined ? {} : { closeTimeoutMs: opts.closeTimeoutMs }),
      logger: opts.logger ?? stderrAgentLogger,
    });
  }

  /** Takes jobs from now on. */
  async start(): Promise<void> {
    if (this.state !== 'created') return;
    this.taker.start(this.opts.transport, this.slots);
    this.state = 'running';
  }

  /** No new trials; running ones get `drainTimeoutMs`, then are stopped and reported `lost` (handed back). */
  drain(): Promise<LocalAgentExit> {
    return this.shutdown('drained', this.opts.drainTimeoutMs ?? 60_000);
  }

  /** Stops everything now: running trials are stopped and reported `lost`. Idempotent and bounded. */
  async close(): Promise<void> {
    void this.taker.close();
    await this.shutdown('closed', 0);
  }

  snapshot(): LocalAgentSnapshot {
    return {
      agentId: this.opts.agentId ?? 'local',
      state: this.state,
      slots: this.slots.size,
      running: this.taker.running,
      trialsRun: this.taker.jobsDone,
    };
  }

  private shutdown(reason: LocalAgentExit['reason'], patienceMs: number): Promise<LocalAgentExit> {
    this.shuttingDown ??= (async () => {
      if (this.state === 'created') reason = 'closed';
      this.state = 'draining';
      await this.taker.drain(patienceMs);
      await this.taker.close();
      this.state = 'closed';
      const exit: LocalAgentExit = { reason, trialsRun: this.taker.jobsDone };
      this.resolveDone(exit);
      return exit;
    })();
    return this.shuttingDown;
  }
}

export function createLocalAgent(opts: LocalAgentOptions): LocalAgent {
  return new LocalAgent(opts);
}
