import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SweepStatus } from '@hyperfleet/domain';
import type { RuntimeHooks } from '@hyperfleet/engine';
import {
  type Clock,
  composeHooks,
  errorText,
  type IngestMeter,
  jobTemplate,
  type Logger,
  nullMeter,
  planForStoredSweep,
  type RefusedReports,
  readSubmission,
  reopenFailedTrials,
  SerialQueue,
  SUBMITTED_EVENT,
  SweepEngine,
  type SweepPlan,
  type SweepSubmission,
  silentLogger,
} from '@hyperfleet/engine';
import type { SweepRecord, TrackingStore } from '@hyperfleet/store';
import { type Closeable, closeAll, jobIdOf, type Transport } from '@hyperfleet/transport';
import { AgentWatch } from './agent-watch';
import { ApiError } from './api-error';
import type { Coordination, SweepCommand } from './coordination';
import { FairShareGate, type FairShareOptions } from './fair-share-gate';
import { CANCEL_REQUESTED_EVENT, recoveryIntent, STOP_REQUESTED_EVENT } from './recovery-intent';

export type SweepAction = SweepCommand['type'];

export interface SweepLeasesOptions {
  store: TrackingStore;
  transport: Transport;
  coordination: Coordination;
  clock?: Clock;
  /** Unique per replica: lock owner and report consumer name. Default host + random. */
  controllerId?: string;
  /** A sweep lock lives this long without renewal (another replica takes over after). Default 15 s. */
  lockTtlMs?: number;
  /** Renew locks, adopt ownerless sweeps, take forwarded commands. Default lockTtlMs / 3. */
  tickMs?: number;
  /** Compare outstanding attempts with the queue. Default 5 s. */
  reconcileMs?: number;
  /** How long a replica waits for the sweep's owner to apply a forwarded command. Default 5 s. */
  commandTimeoutMs?: number;
  /**
   * Fleet mode: an agent whose heartbeats stop for this long has lost the attempts it started (default: off,
   * only the queue's stalled-job check finds them). Also how long a job missing from the queue waits for
   * its agent to re-report before it runs again under a new attempt.
   */
  lostAfterMs?: number;
  /** Reconcile passes before a missing/failed job is acted on. Default 2. */
  graceTicks?: number;
  completedGraceTicks?: number;
  /** New trials per unit of work (see SweepEngine). Default 250. */
  fillChunk?: number;
  /**
   * Fleet fair share between projects (see FairShareGate): jobs are enqueued only into free slots of live
   * agents, picked by per-project weight and cap. Absent: every job is enqueued at once (FIFO per pool).
   */
  fairShare?: FairShareOptions;
  hooks?: RuntimeHooks;
  meter?: IngestMeter;
  /** Audits reports refused for their sender (fleet mode with per-agent credentials). */
  refused?: RefusedReports;
  log?: Logger;
  /** Bounds `close()`. Default 10 s. */
  closeTimeoutMs?: number;
}

const ACTIVE: readonly SweepStatus[] = ['running', 'paused'];
const lockName = (sweepId: string) => `sweep:${sweepId}`;

/**
 * Runs the sweeps this replica holds the lock for. Every tick renews its locks and adopts running sweeps that
 * nobody holds (start-up recovery and takeover from a dead replica are the same path: `SweepScheduler.start()`
 * recovers from the store, and enqueue is idempotent per job id, so nothing is duplicated). Control requests
 * for a sweep another replica runs are forwarded to it.
 */
export class SweepLeases {
  readonly controllerId: string;
  private readonly runners = new Map<string, SweepEngine>();
  private readonly renewedAt = new Map<string, number>();
  private readonly ops = new SerialQueue();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly lockTtlMs: number;
  private lostWatch: Closeable | null = null;
  private readonly agentWatch: AgentWatch | null;
  private readonly gate: FairShareGate | null;
  /** Attempts whose loss is published and not yet applied: published once, not every pass. */
  private lostPublished = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private closing: Promise<void> | null = null;

  constructor(private readonly opts: SweepLeasesOptions) {
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.log = opts.log ?? silentLogger;
    this.lockTtlMs = opts.lockTtlMs ?? 15_000;
    this.controllerId = opts.controllerId ?? `ctl-${hostname()}-${randomBytes(4).toString('hex')}`;
    this.agentWatch = opts.lostAfterMs
      ? new AgentWatch({
          coordination: opts.coordination,
          clock: this.clock,
          lostAfterMs: opts.lostAfterMs,
          maxGapMs: Math.max(2000, 3 * this.lossCheckMs),
          marker: `agent-watch:${this.controllerId}`,
        })
      : null;
    this.gate = opts.fairShare
      ? new FairShareGate({
          ...opts.fairShare,
          coordination: opts.coordination,
          queue: opts.transport.queue,
          runners: () => [...this.runners.values()],
          aliveMs: opts.lostAfterMs ?? 10_000,
          clock: this.clock,
          log: this.log,
        })
      : null;
  }

  private get lossCheckMs(): number {
    return Math.min(1000, Math.floor((this.opts.lostAfterMs ?? 4000) / 4));
  }

  /** Resumes every running/paused sweep nobody else holds, then keeps ticking and reconciling. */
  async start(): Promise<void> {
    this.lostWatch = this.opts.transport.queue.watchLost((lost) => {
      const runner = [...this.runners.values()].find((r) => r.owns(lost.trialId));
      if (!runner) return;
      // The queue's lock lapsed (a Redis pause does that), but heartbeats say better whether its agent still
      // runs it: an agent that is not silent and does not say otherwise keeps it; the heartbeat watch ends it
      // if the agent goes silent.
      const agentId = runner.agentOf(lost.trialId, lost.attempt);
      const watch = this.agentWatch;
      if (agentId && watch && watch.silentFor(agentId) === null && watch.runs(lost.trialId, lost.attempt) !== false) {
        this.log.info('stalled in the queue, but its agent still heartbeats: waiting for its report', {
          trial: lost.trialId,
          attempt: lost.attempt,
        });
        return;
      }
      void this.publishLost(runner, lost.trialId, lost.attempt, `${lost.cause}: ${lost.reason}`);
    });
    await this.tick();
    this.gate?.start();
    const watch = this.agentWatch;
    if (watch) this.every(this.lossCheckMs, () => this.findSilentAgents(watch));
    this.every(this.opts.tickMs ?? Math.max(50, Math.floor(this.lockTtlMs / 3)), () => this.tick());
    this.every(this.opts.reconcileMs ?? 5000, () => this.reconcile());
  }

  /** Jobs held back for a fair-share slot, per sweep and pool. */
  heldJobs(): { pool: string; jobs: number }[] {
    return [...this.runners.values()].flatMap((r) =>
      [...r.shares()].filter(([, s]) => s.held > 0).map(([pool, s]) => ({ pool, jobs: s.held })),
    );
  }

  /** Sweep ids this replica schedules now. */
  leading(): string[] {
    return [...this.runners.keys()];
  }

  /** Persists the submission and starts the sweep here. */
  submit(plan: SweepPlan, submission: SweepSubmission, actor: string | null): Promise<SweepRecord> {
    return this.ops.run(async () => {
      const { store, coordination } = this.opts;
      if (!(await coordination.acquireLock(lockName(plan.id), this.controllerId, this.lockTtlMs))) {
        throw new ApiError(409, 'SWEEP_LOCKED', `sweep ${plan.id} is already being scheduled`);
      }
      await store.appendEvent({
        at: this.clock.now(),
        sweepId: plan.id,
        trialId: null,
        type: SUBMITTED_EVENT,
        actor,
        data: submission,
      });
      await this.launch(plan, submission, {});
      return this.requireSweep(plan.id);
    });
  }

  /**
   * pause / resume / stop / cancel / retry-failed. Applied here when this replica runs the sweep (or can take
   * it), otherwise forwarded to the replica that does; resolves with the sweep record afterwards.
   */
  async control(
    sweepId: string,
    action: SweepAction,
    actor: string | null,
    trialId?: string,
  ): Promise<{ sweep: SweepRecord; pending: boolean }> {
    const appliedHere = await this.ops.run(async () => {
      if (this.runners.has(sweepId)) {
        await this.applyLocal(sweepId, action, actor, trialId);
        return true;
      }
      const sweep = await this.requireSweep(sweepId);
      if (!ACTIVE.includes(sweep.status) && action !== 'retry-failed') {
        throw new ApiError(409, 'SWEEP_ENDED', `sweep ${sweepId} has already ended (${sweep.status})`, {
          hint: 'only retry-failed applies to an ended sweep',
        });
      }
      if (!(await this.opts.coordination.acquireLock(lockName(sweepId), this.controllerId, this.lockTtlMs))) {
        return false;
      }
      if (ACTIVE.includes(sweep.status)) await this.adopt(sweep);
      await this.applyLocal(sweepId, action, actor, trialId);
      return true;
    });
    if (!appliedHere) {
      const applied = await this.forward(sweepId, action, actor, trialId);
      return { sweep: await this.requireSweep(sweepId), pending: !applied };
    }
    return { sweep: await this.requireSweep(sweepId), pending: false };
  }

  /** Renews our locks, adopts running sweeps nobody holds, applies commands forwarded to us. */
  tick(): Promise<void> {
    return this.ops.run(async () => {
      if (this.closing) return;
      await this.renewLocks();
      await this.adoptOrphans();
      await this.takeCommands();
    });
  }

  /** One reconcile pass over every sweep this replica runs. */
  async reconcile(): Promise<void> {
    for (const runner of [...this.runners.values()]) {
      try {
        await runner.reconcile();
      } catch (err) {
        this.log.warn('reconcile failed', { sweep: runner.sweepId, error: errorText(err) });
      }
    }
  }

  /** Attempts whose agent stopped heartbeating are lost: within `lostAfterMs`, not the queue's stall timer. */
  private async findSilentAgents(watch: AgentWatch): Promise<void> {
    await watch.refresh();
    const outstanding = new Set<string>();
    for (const runner of [...this.runners.values()]) {
      for (const { trialId, attempt, agentId } of runner.startedAttempts()) {
        outstanding.add(jobIdOf(trialId, attempt));
        const silent = watch.silentFor(agentId);
        if (silent === null) continue;
        const reason = `agent ${agentId} stopped heartbeating (silent for ${Math.round(silent / 1000)} s)`;
        await this.publishLost(runner, trialId, attempt, reason, agentId);
      }
    }
    for (const id of this.lostPublished) if (!outstanding.has(id)) this.lostPublished.delete(id);
  }

  /**
   * Ends an attempt as lost through the sweep's report stream, after whatever its agent published before it
   * went away: a result that was already sent is applied first, so a loss never overwrites it. The engine
   * drops the verdict when the attempt has ended by then.
   */
  /** The runner's loss verdict (SweepEngine.publishLost), given once per attempt from this replica. */
  private async publishLost(runner: SweepEngine, trialId: string, attempt: number, reason: string, agentId = '') {
    const id = jobIdOf(trialId, attempt);
    if (this.lostPublished.has(id)) return;
    if (!(await runner.publishLost(trialId, attempt, reason, agentId))) return;
    this.lostPublished.add(id);
    this.log.warn('attempt lost', { trial: trialId, attempt, reason });
  }

  /** Stops scheduling here (locks released, so another replica takes over at once); trials keep running. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      const timeout = this.opts.closeTimeoutMs ?? 10_000;
      await closeAll(
        'sweep runtime',
        [
          () => this.lostWatch?.close(),
          () => this.gate?.close(),
          async () => {
            await this.ops.idle();
            await Promise.allSettled([...this.runners.keys()].map((id) => this.retire(id)));
          },
        ],
        timeout,
      );
    })();
    return this.closing;
  }

  private async applyLocal(
    sweepId: string,
    action: SweepAction,
    actor: string | null,
    trialId?: string,
  ): Promise<void> {
    const { store } = this.opts;
    const runner = this.runners.get(sweepId);
    const event = (type: string, data: unknown = null) =>
      store.appendEvent({ at: this.clock.now(), sweepId, trialId: null, type, actor, data });
    if (action === 'retry-failed') {
      await this.retryFailed(sweepId, actor);
      return;
    }
    if (!runner) throw new ApiError(409, 'SWEEP_ENDED', `sweep ${sweepId} is not running`);
    const by = actor === null ? '' : ` by ${actor}`;
    switch (action) {
      case 'pause':
        await event('sweep.pause_requested');
        await runner.pause();
        return;
      case 'resume':
        await event('sweep.resume_requested');
        await runner.resume();
        return;
      case 'stop':
        await event(STOP_REQUESTED_EVENT);
        await runner.stop(`stopped${by}`);
        return;
      case 'cancel':
        await event(CANCEL_REQUESTED_EVENT);
        await runner.cancel(`cancelled${by}`);
        return;
      case 'stop-trial':
        if (trialId === undefined) throw new ApiError(422, 'BAD_REQUEST', 'stop-trial needs a trial id');
        await store.appendEvent({
          at: this.clock.now(),
          sweepId,
          trialId,
          type: 'trial.stop_requested',
          actor,
          data: null,
        });
        // Ends as `stopped` with this reason, as an early-termination rule's stop does.
        await runner.earlyStop(trialId, `stopped${by}`);
        return;
    }
  }

  /** Re-runs failed trials: the scheduler is restarted on the reopened trials (we hold the lock). */
  private async retryFailed(sweepId: string, actor: string | null): Promise<void> {
    const { store } = this.opts;
    const running = this.runners.get(sweepId);
    if (running) {
      await running.detach();
      this.runners.delete(sweepId);
    }
    const sweep = await this.requireSweep(sweepId);
    const intent = await recoveryIntent(store, sweepId);
    const ended = !ACTIVE.includes(sweep.status);
    // An ended or stopped sweep re-runs only its failed trials; a running one goes on as it would have.
    const runCap = ended || intent.reapply !== null ? (await store.listTrials(sweepId)).length : undefined;
    const reopened = await reopenFailedTrials(store, sweepId, {
      clock: this.clock,
      actor,
      ...(runCap === undefined ? {} : { runCap }),
    });
    if (reopened.length === 0 && ended) {
      await this.opts.coordination.releaseLock(lockName(sweepId), this.controllerId);
      throw new ApiError(409, 'NOTHING_TO_RETRY', `sweep ${sweepId} has no failed trials`);
    }
    await this.adopt(await this.requireSweep(sweepId));
  }

  /** Starts a runner for a stored sweep we hold the lock of (recovery). */
  private async adopt(sweep: SweepRecord): Promise<void> {
    const intent = await recoveryIntent(this.opts.store, sweep.id);
    const plan = planForStoredSweep(sweep, intent.runCap);
    const submission = await readSubmission(this.opts.store, sweep);
    await this.launch(plan, submission, { paused: sweep.status === 'paused', reapply: intent.reapply });
    this.log.info('sweep recovered', { sweep: sweep.id, controller: this.controllerId });
  }

  private async launch(
    plan: SweepPlan,
    submission: SweepSubmission,
    startOpts: { paused?: boolean; reapply?: 'stop' | 'cancel' | null },
  ): Promise<void> {
    const o = this.opts;
    const runner = new SweepEngine({
      plan,
      store: o.store,
      transport: o.transport,
      clock: this.clock,
      consumerId: this.controllerId,
      template: jobTemplate(plan.config as Parameters<typeof jobTemplate>[0], submission),
      hooks: this.gate ? composeHooks(o.hooks, this.gateHooks(this.gate)) : (o.hooks ?? {}),
      meter: o.meter ?? nullMeter,
      log: this.log,
      ...(o.graceTicks === undefined ? {} : { graceTicks: o.graceTicks }),
      ...(this.agentWatch ? { agents: this.agentWatch, missingGraceMs: o.lostAfterMs } : {}),
      ...(o.completedGraceTicks === undefined ? {} : { completedGraceTicks: o.completedGraceTicks }),
      ...(o.fillChunk === undefined ? {} : { fillChunk: o.fillChunk }),
      ...(this.gate ? { admission: { waiting: () => this.gate?.wake() } } : {}),
      ...(o.refused ? { refused: o.refused } : {}),
    });
    this.runners.set(plan.id, runner);
    this.renewedAt.set(plan.id, this.clock.now());
    runner.done.then(
      () => this.ops.run(() => this.retire(plan.id, runner)),
      (err: unknown) => {
        // A store failure mid-sweep: let go; the next tick (here or elsewhere) recovers it from the store.
        this.log.error('sweep scheduler failed; it will be recovered', { sweep: plan.id, error: errorText(err) });
        return this.ops.run(() => this.retire(plan.id, runner));
      },
    );
    try {
      await runner.start(startOpts);
    } catch (err) {
      await this.retire(plan.id, runner);
      throw err;
    }
  }

  /** A trial that ended freed its slot (its job left the queue): the next one goes to whoever's turn it is. */
  private gateHooks(gate: FairShareGate): RuntimeHooks {
    return {
      onTrialEvent: (e) => {
        if (e.type === 'trial.finished') gate.wake();
      },
    };
  }

  /** Detaches a runner and releases its lock (if it is still the current one for the sweep). */
  private async retire(sweepId: string, runner?: SweepEngine): Promise<void> {
    const current = this.runners.get(sweepId);
    if (!current || (runner && current !== runner)) return;
    this.runners.delete(sweepId);
    this.renewedAt.delete(sweepId);
    try {
      await current.detach();
    } finally {
      await this.opts.coordination.releaseLock(lockName(sweepId), this.controllerId).catch(() => undefined);
    }
  }

  private async renewLocks(): Promise<void> {
    for (const [id, runner] of [...this.runners]) {
      let held: boolean;
      try {
        // acquire = extend ours, or take it again if Redis lost it (flushed): nobody else can hold it then.
        held = await this.opts.coordination.acquireLock(lockName(id), this.controllerId, this.lockTtlMs);
        if (held) this.renewedAt.set(id, this.clock.now());
      } catch (err) {
        // Redis away: keep going until our lock would have expired, then assume another replica may take over.
        held = this.clock.now() - (this.renewedAt.get(id) ?? 0) < this.lockTtlMs;
        this.log.warn('lock renewal failed', { sweep: id, error: errorText(err) });
      }
      if (!held) {
        this.log.warn('lost the sweep lock; another replica runs it now', { sweep: id });
        this.runners.delete(id);
        this.renewedAt.delete(id);
        await runner.detach();
      }
    }
  }

  private async adoptOrphans(): Promise<void> {
    const { store, coordination } = this.opts;
    let sweeps: SweepRecord[];
    try {
      sweeps = await store.listSweeps({ limit: 100_000 });
    } catch (err) {
      this.log.warn('listing sweeps failed', { error: errorText(err) });
      return;
    }
    for (const sweep of sweeps) {
      if (!ACTIVE.includes(sweep.status) || this.runners.has(sweep.id)) continue;
      try {
        if (!(await coordination.acquireLock(lockName(sweep.id), this.controllerId, this.lockTtlMs))) continue;
        await this.adopt(sweep);
      } catch (err) {
        this.log.error('recovering a sweep failed', { sweep: sweep.id, error: errorText(err) });
        await coordination.releaseLock(lockName(sweep.id), this.controllerId).catch(() => undefined);
      }
    }
  }

  private async takeCommands(): Promise<void> {
    const { coordination } = this.opts;
    for (const id of [...this.runners.keys()]) {
      let commands: SweepCommand[];
      try {
        commands = await coordination.takeCommands(id);
      } catch {
        continue;
      }
      for (const cmd of commands) {
        try {
          await this.applyLocal(cmd.sweepId, cmd.type, cmd.actor, cmd.trialId);
          await coordination.completeCommand(cmd.id, { ok: true });
        } catch (err) {
          const code = err instanceof ApiError ? err.code : 'COMMAND_FAILED';
          await coordination.completeCommand(cmd.id, { ok: false, code, message: errorText(err) });
        }
      }
    }
  }

  /** Hands a command to the sweep's owner; true once applied, false when it did not answer in time. */
  private async forward(
    sweepId: string,
    action: SweepAction,
    actor: string | null,
    trialId: string | undefined,
  ): Promise<boolean> {
    const { coordination } = this.opts;
    const cmd: SweepCommand = {
      id: randomBytes(8).toString('hex'),
      sweepId,
      type: action,
      actor,
      ...(trialId === undefined ? {} : { trialId }),
    };
    await coordination.pushCommand(cmd);
    const deadline = Date.now() + (this.opts.commandTimeoutMs ?? 5000);
    while (Date.now() < deadline) {
      const result = await coordination.commandResult(cmd.id);
      if (result?.ok) return true;
      if (result && !result.ok) throw new ApiError(409, result.code, result.message);
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  private async requireSweep(id: string): Promise<SweepRecord> {
    const sweep = await this.opts.store.getSweep(id);
    if (!sweep) throw new ApiError(404, 'NOT_FOUND', `no sweep ${id}`);
    return sweep;
  }

  /** A repeating task that never overlaps itself and never throws out of the timer. */
  private every(ms: number, task: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.closing) return;
      busy = true;
      task()
        .catch((err) => this.log.error('periodic task failed', { error: errorText(err) }))
        .finally(() => {
          busy = false;
        });
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
