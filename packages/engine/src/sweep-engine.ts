import {
  addDroppedPoints,
  type DroppedPoints,
  endedWithoutExit,
  type MetricPoint,
  type SweepConfig,
  sweepProject,
} from '@hyperfleet/domain';
import type { EnvFingerprint } from '@hyperfleet/lineage';
import {
  recordTrialLineage,
  type SweepRecord,
  type TrackingStore,
  type TrialRecord,
  WriteBehindStore,
} from '@hyperfleet/store';
import { type AgentReport, type Closeable, jobIdOf, type Transport } from '@hyperfleet/transport';
import type { IngestMeter } from './ingest-meter';
import { errorText, type Logger } from './logger';
import type { AgentPresence, AttemptReport, Clock, SweepPlan } from './ports';
import { type JobTemplate, type OutstandingJob, type PoolShare, QueueDispatcher } from './queue-dispatcher';
import type { RefusedReports } from './refused-reports';
import { ReportHolders } from './report-holders';
import type { RuntimeHooks } from './runtime-hooks';
import { SerialQueue } from './serial-queue';
import { type SchedulerEvent, SweepScheduler } from './sweep-scheduler';
import { toMetricPoints } from './wire-points';

export interface SweepEngineDeps {
  plan: SweepPlan;
  store: TrackingStore;
  transport: Transport;
  clock: Clock;
  /** Consumer name in the sweep's report group (this controller replica). */
  consumerId: string;
  template: JobTemplate;
  hooks: RuntimeHooks;
  meter: IngestMeter;
  log: Logger;
  /** Reconcile passes a job must look missing/failed before we act (lets in-flight reports land first). */
  graceTicks?: number;
  /**
   * The agents' own account of what they run: a job missing from the queue (Redis lost its data) is ended
   * and run again under a new attempt only when no agent runs it. Absent: the job is simply enqueued again.
   */
  agents?: AgentPresence;
  /**
   * How long a job must stay missing before it is judged (default 10 s): long enough for agents to
   * register again and re-send the reports the lost Redis held.
   */
  missingGraceMs?: number;
  /** Where reports refused for their sender (signed by an agent that does not hold the attempt) are audited. */
  refused?: RefusedReports;
  /** Passes a job may sit `completed` without its finished report before the attempt counts as lost. */
  completedGraceTicks?: number;
  /**
   * New trials per unit of work. Default 250: a sweep with room for 5,000 trials starts its first ones once a
   * chunk is saved and enqueued (tens of ms) instead of after all of them (about a second on a small machine).
   */
  fillChunk?: number;
  /**
   * Fleet fair share: the sweep's jobs wait here until the controller's fair-share pass grants them slots
   * (`admit`); `waiting()` is called when some do. Absent: every job is enqueued as soon as it is saved.
   */
  admission?: { waiting(): void };
}

/**
 * Runs one sweep on this replica: its scheduler, the dispatcher over the trial queue, the consumer of the
 * sweep's agent reports, lost-attempt handling and reconciliation. Everything that feeds the scheduler goes
 * through one serial queue, so a duplicate report (at-least-once) or a late lost signal always sees the
 * current attempt and is dropped when it is stale.
 */
export class SweepEngine {
  readonly sweepId: string;
  readonly done: Promise<SweepRecord>;
  private readonly scheduler: SweepScheduler;
  private readonly dispatcher: QueueDispatcher;
  /** The scheduler's writes, saved once per unit of work (see exclusive()). */
  private readonly store: WriteBehindStore;
  private readonly serial = new SerialQueue();
  private failCommit!: (err: unknown) => void;
  /** Scheduler events of the current unit of work: hooks see them once the store has them. */
  private unsaved: SchedulerEvent[] = [];
  /** Attempts whose `started` report reached the scheduler (drops redelivered duplicates). */
  private readonly started = new Set<string>();
  /** jobId → the state the reconciler saw, on how many consecutive passes, since when (its grace). */
  private readonly suspicion = new Map<string, { state: string; passes: number; since: number }>();
  /** jobId → the agent that reported starting it: whose heartbeats say whether it still runs. */
  private readonly startedOn = new Map<string, { trialId: string; attempt: number; agentId: string }>();
  /** trialId → the attempt it ended with (0: not ended): points of that attempt arriving late are still its data. */
  private readonly endedWith = new Map<string, number>();
  /** Who may report about which attempt, when the report stream says who signed each report. */
  private readonly holders: ReportHolders;
  private subscription: Closeable | null = null;
  private lingering: { resolve: () => void; timer: NodeJS.Timeout } | null = null;
  private detached = false;
  /**
   * Set when a save failed or the scheduler gave up (a store error): the runner is done for, and writes nothing
   * more. Its unsaved rows would otherwise reach the store later, on top of what the successor that recovers the
   * sweep from the store has written since (a trial it re-queued would read `succeeded` again, or the reverse).
   */
  private broken: { error: unknown } | null = null;
  private fillQueued = false;

  constructor(private readonly deps: SweepEngineDeps) {
    this.sweepId = deps.plan.id;
    this.store = new WriteBehindStore(deps.store);
    this.holders = new ReportHolders({ store: deps.store, ...(deps.agents ? { agents: deps.agents } : {}) });
    this.dispatcher = new QueueDispatcher({
      sweepId: deps.plan.id,
      queue: deps.transport.queue,
      control: deps.transport.control,
      template: deps.template,
      reconcileRecovered: deps.agents !== undefined,
      ...(deps.admission ? { admission: deps.admission } : {}),
      reportNeverStarted: (report) => {
        this.exclusive(() => this.finishAttempt(report)).catch((err) => this.fault('stop report', err));
      },
      log: deps.log,
      ...(deps.template.pins ? { beforeDispatch: (trial) => this.recordLineage(trial) } : {}),
    });
    this.scheduler = new SweepScheduler(deps.plan, {
      store: this.store,
      dispatcher: this.dispatcher,
      clock: deps.clock,
      fillChunk: deps.fillChunk ?? 250,
    });
    this.scheduler.on((e) => this.onSchedulerEvent(e));
    // A failed save ends the runner like a store failure inside the scheduler: the sweep is recovered from the store.
    const commitFailed = new Promise<never>((_, reject) => {
      this.failCommit = reject;
    });
    // Resolves once the unit of work that ended the sweep is saved and its events reached the hooks.
    const ended = this.scheduler.done.then(async (sweep) => {
      await this.serial.idle();
      if (deps.agents) await this.linger(deps.missingGraceMs ?? 10_000);
      return sweep;
    });
    this.done = Promise.race([ended, commitFailed]);
  }

  /**
   * Fleet: agents re-send what a lost Redis held within a heartbeat or two of being forgotten, so their points
   * may trail the ending of the sweep's last trials. The runner keeps reading that long (until detached).
   */
  private async linger(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.lingering = { resolve, timer: setTimeout(resolve, ms) };
    });
    await this.serial.idle();
  }

  /**
   * Runs a state change alone, then saves what it wrote in one transaction and only then enqueues the trials
   * it created: one commit and one bulk enqueue per batch of reports instead of several per trial.
   */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      if (this.broken) throw this.broken.error; // a report batch left unacknowledged goes to the successor
      try {
        return await task();
      } catch (err) {
        if (this.scheduler.failed) this.broken = { error: err };
        throw err;
      } finally {
        if (!this.broken) {
          await this.commit();
          this.fillNextChunk();
        }
      }
    });
  }

  /** The scheduler stopped at a chunk of new trials (saved and enqueued by now): the next chunk, after queued reports. */
  private fillNextChunk(): void {
    if (this.fillQueued || this.detached || !this.scheduler.canFillMore) return;
    this.fillQueued = true;
    this.exclusive(() => {
      this.fillQueued = false;
      return this.scheduler.fillMore();
    }).catch((err) => this.fault('filling the sweep', err));
  }

  private async commit(): Promise<void> {
    const created = this.scheduler.createdCount;
    try {
      await this.store.flush();
    } catch (err) {
      this.broken = { error: err };
      this.failCommit(err);
      throw err;
    }
    const events = this.unsaved;
    this.unsaved = [];
    for (const e of events) this.hook(() => this.deps.hooks.onTrialEvent?.({ ...e, sweepId: this.sweepId }));
    await this.dispatcher.sendUnsent();
    this.scheduler.chunkSaved(created);
  }

  /** Creates or recovers the sweep, then starts consuming its reports (after recovery: none is dropped as stale). */
  async start(opts: { paused?: boolean; reapply?: 'stop' | 'cancel' | null } = {}): Promise<void> {
    const { store, plan } = this.deps;
    const running = await store.listTrials(plan.id, { status: ['running'] });
    const workers = await Promise.all(running.map((t) => store.listAttempts(t.id)));
    await this.exclusive(async () => {
      if (opts.paused) await this.scheduler.pause();
      await this.scheduler.start();
      // Recovery keeps started trials `running`; a redelivered `started` report for them is not news.
      for (const t of running) this.started.add(jobIdOf(t.id, t.attempts));
      for (const [i, t] of running.entries()) {
        const worker = workers[i]?.find((a) => a.attempt === t.attempts)?.worker;
        if (worker) {
          this.startedOn.set(jobIdOf(t.id, t.attempts), { trialId: t.id, attempt: t.attempts, agentId: worker });
          this.holders.hold(t.id, t.attempts, worker);
        }
      }
      if (opts.reapply === 'stop') await this.scheduler.stop();
      if (opts.reapply === 'cancel') await this.scheduler.cancel();
    });
    if (this.detached) return;
    this.subscription = this.deps.transport.reports.subscribe(plan.id, this.deps.consumerId, (batch, senders) =>
      this.exclusive(() => this.apply(batch, senders)),
    );
    // Recovered attempts are checked at once, not on the next pass: a reproduction waits on this.
    if (this.dispatcher.outstanding().some((e) => e.recovered)) {
      this.reconcile().catch((err) => this.fault('reconciling recovered attempts', err));
    }
  }

  pause(): Promise<void> {
    return this.exclusive(() => this.scheduler.pause());
  }

  resume(): Promise<void> {
    return this.exclusive(() => this.scheduler.resume());
  }

  stop(reason?: string): Promise<void> {
    return this.exclusive(() => this.scheduler.stop(reason));
  }

  cancel(reason?: string): Promise<void> {
    return this.exclusive(() => this.scheduler.cancel(reason));
  }

  earlyStop(trialId: string, reason: string): Promise<void> {
    return this.exclusive(() => this.scheduler.earlyStop(trialId, reason));
  }

  /** The project the sweep belongs to (fair share). */
  get project(): string {
    return sweepProject(this.deps.plan.config as Pick<SweepConfig, 'project'>);
  }

  /** Fair share: per pool, this sweep's jobs waiting for a slot and those holding one. */
  shares(): Map<string, PoolShare> {
    return this.detached ? new Map() : this.dispatcher.shares();
  }

  /** Fair share granted `n` slots of `pool`: sends that many held jobs to the queue; resolves with how many went. */
  admit(pool: string, n: number): Promise<number> {
    return this.exclusive(() => (this.detached ? Promise.resolve(0) : this.dispatcher.sendHeld(pool, n)));
  }

  /** Whether a trial of this sweep is outstanding here (routes lost signals to the right runner). */
  owns(trialId: string): boolean {
    return this.dispatcher.current(trialId) !== undefined;
  }

  /** The agent that reported starting this attempt, if this runner knows it. */
  agentOf(trialId: string, attempt: number): string | undefined {
    return this.startedOn.get(jobIdOf(trialId, attempt))?.agentId;
  }

  /** The started attempts this runner waits on, with the agent running each. */
  startedAttempts(): { trialId: string; attempt: number; agentId: string }[] {
    return [...this.startedOn.values()];
  }

  /**
   * Compares every outstanding attempt with the queue: re-sends jobs the queue lost (Redis flushed or
   * restarted without persistence), ends as `lost` the ones that failed or stalled while nobody watched,
   * and repeats stop requests that did not go through.
   */
  async reconcile(): Promise<void> {
    if (this.detached) return;
    const { queue } = this.deps.transport;
    // A held job is in no queue yet: nothing to compare (a stop ends it at once, see QueueDispatcher.sendStop).
    const snapshot = this.dispatcher.outstanding().filter((e) => e.held === undefined);
    const states = await Promise.all(
      snapshot.map((e) =>
        e.unsent
          ? Promise.resolve({ state: 'unsent' as const })
          : queue.state(e.job.pool, e.job.trialId, e.job.attempt).catch(() => null),
      ),
    );
    await this.exclusive(async () => {
      for (const [i, entry] of snapshot.entries()) {
        const st = states[i];
        if (!st || this.detached || this.dispatcher.current(entry.job.trialId) !== entry) continue;
        await this.reconcileOne(entry, st.state, 'failedReason' in st ? st.failedReason : undefined);
      }
    });
  }

  /** Stops feeding the scheduler (lock lost, replica closing); touches neither the store nor the trials. */
  async detach(): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    if (this.lingering) {
      clearTimeout(this.lingering.timer);
      this.lingering.resolve();
    }
    const sub = this.subscription;
    this.subscription = null;
    try {
      await sub?.close();
    } finally {
      await this.serial.idle();
    }
  }

  private async reconcileOne(entry: OutstandingJob, state: string, failedReason: string | undefined): Promise<void> {
    const { job } = entry;
    const id = jobIdOf(job.trialId, job.attempt);
    const grace = this.deps.graceTicks ?? 2;
    const seen = this.bump(id, state);
    if (state === 'missing') return this.reconcileMissing(entry, seen);
    entry.recovered = false; // the queue has it: the usual rules apply
    if (entry.stopRequested) {
      if (state === 'waiting' || state === 'unsent') await this.dispatcher.sendStop(entry);
      else if (state === 'active') await this.deps.transport.control.requestStop(job.trialId);
      else if (state === 'completed' && seen.passes >= grace) {
        // Nobody will report this attempt any more; it was meant to stop anyway.
        await this.finishAttempt(lostReport(job.trialId, job.attempt, 'its job completed but no result arrived'));
      } else if (state === 'failed' && seen.passes >= grace) {
        await this.finishAttempt(lostReport(job.trialId, job.attempt, failedReason ?? 'job failed'));
      }
      return;
    }
    switch (state) {
      case 'unsent':
        if (await this.dispatcher.send(entry)) this.suspicion.delete(id);
        return;
      case 'failed': {
        if (seen.passes < grace) return;
        // The queue gave up on it (its lock lapsed while Redis was paused, say), but an agent that still
        // heartbeats it is running it: its report will come. Heartbeats decide.
        const agents = this.deps.agents;
        if (agents && this.startedOn.has(id) && agents.runs(job.trialId, job.attempt) !== false) return;
        await this.lostThroughStream(job, failedReason ?? 'job failed');
        return;
      }
      case 'completed':
        if (seen.passes < (this.deps.completedGraceTicks ?? 12)) return;
        await this.lostThroughStream(job, 'the job completed but its result never reached the controller');
        return;
      default:
        this.suspicion.delete(id);
    }
  }

  /**
   * The queue lost the job (Redis restarted empty, or was flushed). Agents that still run it, or finished it,
   * re-send their reports when they register again; so once the grace has passed and no agent runs it, the
   * attempt is ended as lost and the trial runs again under a new attempt number — never the same job twice.
   */
  private async reconcileMissing(entry: OutstandingJob, seen: { passes: number; since: number }): Promise<void> {
    const { job } = entry;
    const id = jobIdOf(job.trialId, job.attempt);
    const agents = this.deps.agents;
    if (!agents) {
      // Nothing can be running it behind the queue's back (embedded): enqueue it again, or end a stopped one.
      if (seen.passes < (this.deps.graceTicks ?? 2)) return;
      if (entry.stopRequested) return this.endStoppedUnrun(job);
      this.deps.log.warn('job missing from the queue; enqueued again from the store', { job: id });
      if (await this.dispatcher.send(entry)) this.suspicion.delete(id);
      return;
    }
    // A job found missing while we ran it may be on an agent that has not re-registered yet: give the agents
    // the window. A recovered one is judged as soon as the agents' heartbeats can tell (AgentWatch's window).
    if (!entry.recovered && this.deps.clock.now() - seen.since < (this.deps.missingGraceMs ?? 10_000)) return;
    const runs = agents.runs(job.trialId, job.attempt);
    if (runs === undefined) return;
    if (runs) {
      if (entry.stopRequested) await this.deps.transport.control.requestStop(job.trialId);
      return;
    }
    const started = this.started.has(id);
    if (entry.recovered && !started && !entry.stopRequested) {
      // Written to the store and never sent (a reproduction, a reopened trial, a controller that died before
      // enqueueing), or lost with Redis before anyone took it: nobody runs it, so this attempt goes out now,
      // or waits for its fair-share slot with the sweep's other new jobs.
      if (this.dispatcher.hold(entry)) {
        this.suspicion.delete(id);
        return;
      }
      if (await this.dispatcher.send(entry)) {
        entry.recovered = false;
        this.suspicion.delete(id);
      }
      return;
    }
    if (entry.stopRequested && !started) return this.endStoppedUnrun(job);
    this.deps.log.warn('job missing from the queue and no agent runs it: ending the attempt as lost', { job: id });
    if (started) {
      await this.lostThroughStream(job, 'its queue job vanished (Redis lost its data?) and no agent runs it');
      return;
    }
    const why = 'its queue job vanished before any agent started it (Redis lost its data?)';
    await this.finishAttempt({ ...lostReport(job.trialId, job.attempt, why), neverTaken: true });
  }

  /**
   * Ends an attempt an agent may have run as lost through the sweep's report stream, behind whatever that
   * agent published before: a result already sent wins (the verdict is then stale and dropped). `agentId` ''
   * marks a loss only the queue saw (see queueStallOfLiveAgent). False when it could not be published: the
   * caller's next pass tries again. The one way every loss verdict is given, here and by the controller.
   */
  async publishLost(trialId: string, attempt: number, reason: string, agentId = ''): Promise<boolean> {
    const result = endedWithoutExit('lost', reason);
    try {
      await this.deps.transport.reports.publish(this.sweepId, [
        { type: 'finished', trialId, attempt, agentId, at: this.deps.clock.now(), result },
      ]);
      return true;
    } catch (err) {
      this.deps.log.warn('could not publish a lost attempt; tried again on the next pass', {
        trial: trialId,
        error: errorText(err),
      });
      return false;
    }
  }

  /** A job meant to stop that vanished before it ran: the stop is all that happened to it. */
  private endStoppedUnrun(job: OutstandingJob['job']): Promise<void> {
    return this.finishAttempt({ ...lostReport(job.trialId, job.attempt, 'job gone'), outcome: 'stopped' });
  }

  private async lostThroughStream(job: OutstandingJob['job'], reason: string): Promise<void> {
    await this.publishLost(job.trialId, job.attempt, reason, this.agentOf(job.trialId, job.attempt));
  }

  private bump(id: string, state: string): { passes: number; since: number } {
    const prev = this.suspicion.get(id);
    const next =
      prev?.state === state
        ? { state, passes: prev.passes + 1, since: prev.since }
        : { state, passes: 1, since: this.deps.clock.now() };
    this.suspicion.set(id, next);
    return next;
  }

  /**
   * One batch of agent reports, in stream order; throws (→ redelivery) when the store fails. `senders[i]`
   * signed `batch[i]` (when the stream verifies signatures): a report its sender may not make is refused.
   */
  private async apply(batch: AgentReport[], senders?: readonly string[]): Promise<void> {
    if (this.detached) throw new Error('runner detached'); // leave the batch for whoever runs the sweep next
    let pending: MetricPoint[] = [];
    const late: MetricPoint[] = [];
    let drops = new Map<string, DroppedPoints>();
    const flush = async () => {
      const points = pending;
      pending = [];
      for (const [trialId, dropped] of drops) await this.scheduler.reportDropped(trialId, dropped);
      drops = new Map();
      await this.scheduler.reportMetrics(points);
      this.deps.meter.ingested(points.length);
      this.hook(() => this.deps.hooks.onMetrics?.(this.sweepId, points));
    };
    for (const [i, r] of batch.entries()) {
      const sender = senders?.[i];
      if (sender !== undefined && !(await this.mayReport(r, sender))) continue;
      const isCurrent = this.dispatcher.current(r.trialId)?.job.attempt === r.attempt;
      if (r.type === 'metrics') {
        if (!isCurrent && (await this.endedAttempt(r.trialId)) === r.attempt) {
          late.push(...toMetricPoints(r.trialId, r.points, this.deps.clock.now()).points);
          continue;
        }
        if (!isCurrent) {
          this.deps.meter.dropped('stale_attempt', r.points.length);
          continue;
        }
        const { points, dropped } = toMetricPoints(r.trialId, r.points, this.deps.clock.now());
        const reasons = Object.entries(dropped);
        for (const [reason, n] of reasons) this.deps.meter.dropped(reason, n);
        // Counted in the trial's record too: a point at step -1 is not lost without a word.
        if (reasons.length > 0) drops.set(r.trialId, addDroppedPoints(drops.get(r.trialId) ?? {}, dropped));
        for (const p of points) pending.push(p);
        continue;
      }
      if (pending.length > 0 || drops.size > 0) await flush();
      if (!isCurrent) continue;
      const id = jobIdOf(r.trialId, r.attempt);
      if (r.type === 'started') {
        if (!this.started.has(id)) {
          await this.scheduler.reportStarted(r.trialId, r.attempt, r.agentId);
          this.started.add(id);
          this.startedOn.set(id, { trialId: r.trialId, attempt: r.attempt, agentId: r.agentId });
          this.holders.hold(r.trialId, r.attempt, r.agentId);
        }
        // The machine that runs the trial reports its environment: that is the one the record must show. An
        // agent sends it with the start; a Kubernetes executor's pod sends a second `started` carrying it.
        const job = this.dispatcher.current(r.trialId)?.job;
        if (r.env && job && this.deps.template.pins) {
          const trial = {
            id: job.trialId,
            sweepId: job.sweepId,
            params: job.params,
            seed: job.seed,
            command: job.argv,
          };
          await this.recordLineage(trial, r.env);
        }
      } else {
        if (this.queueStallOfLiveAgent(r)) continue;
        await this.finishAttempt({ ...r.result, trialId: r.trialId, attempt: r.attempt, worker: r.agentId });
      }
    }
    if (pending.length > 0 || drops.size > 0) await flush();
    if (late.length > 0) await this.scheduler.reportLatePoints(late);
  }

  /** Whether `sender` may make report `r`; a refusal is audited (rate-limited) and logged. */
  private async mayReport(r: AgentReport, sender: string): Promise<boolean> {
    const reason = await this.holders.refusal(r, sender, this.dispatcher.current(r.trialId)?.job.pool);
    if (reason === null) return true;
    const refusal = { sweepId: this.sweepId, sender, reason, trialId: r.trialId, attempt: r.attempt };
    if (this.deps.refused) this.deps.refused.record(refusal);
    else this.deps.log.warn('refused a report', refusal);
    return false;
  }

  /**
   * A loss the queue saw (its lock lapsed — a Redis pause does that; published with no agent) for an attempt
   * whose agent started it and still heartbeats without saying otherwise: heartbeats decide, so it is ignored.
   * If the agent really is gone, its silence ends the attempt within the loss window.
   */
  private queueStallOfLiveAgent(r: Extract<AgentReport, { type: 'finished' }>): boolean {
    const agents = this.deps.agents;
    if (!agents || r.result.outcome !== 'lost' || r.agentId !== '') return false;
    if (!this.startedOn.has(jobIdOf(r.trialId, r.attempt))) return false;
    if (agents.runs(r.trialId, r.attempt) === false) return false;
    this.deps.log.info('the queue lost track of an attempt its agent still heartbeats: waiting for its report', {
      trial: r.trialId,
      attempt: r.attempt,
    });
    return true;
  }

  /** The attempt a trial ended with, 0 while it has not ended; read from the store once for trials ended before this runner. */
  private async endedAttempt(trialId: string): Promise<number> {
    const known = this.endedWith.get(trialId);
    if (known !== undefined) return known;
    if (this.dispatcher.current(trialId)) return 0; // in flight here: a newer attempt runs
    const trial = await this.store.getTrial(trialId);
    const ended = trial && trial.sweepId === this.sweepId && trial.status !== 'queued' && trial.status !== 'running';
    const attempt = ended ? trial.attempts : 0;
    this.endedWith.set(trialId, attempt);
    return attempt;
  }

  /** Ends an attempt in the scheduler (unless it is stale or a duplicate). */
  private async finishAttempt(report: AttemptReport): Promise<void> {
    const entry = this.dispatcher.current(report.trialId);
    if (entry?.job.attempt !== report.attempt) return;
    const id = jobIdOf(report.trialId, report.attempt);
    await this.scheduler.reportFinished(report);
    this.started.delete(id);
    this.startedOn.delete(id);
    this.suspicion.delete(id);
  }

  /** The trial's lineage (the sweep's pins + its params, seed, command), with the worker's env once known. */
  private async recordLineage(
    trial: Pick<TrialRecord, 'id' | 'sweepId' | 'params' | 'seed' | 'command'>,
    env?: EnvFingerprint,
  ): Promise<void> {
    const pins = this.deps.template.pins;
    if (!pins) return;
    await recordTrialLineage(this.store, pins, trial, { now: this.deps.clock.now(), ...(env ? { env } : {}) });
  }

  private onSchedulerEvent(e: SchedulerEvent): void {
    if (e.type === 'trial.finished') {
      this.dispatcher.forget(e.trial.id);
      this.endedWith.set(e.trial.id, e.trial.attempts);
    }
    this.unsaved.push(e);
  }

  private hook(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.deps.log.error('runtime hook threw', { sweep: this.sweepId, error: errorText(err) });
    }
  }

  private fault(what: string, err: unknown): void {
    this.deps.log.error(`sweep runner: ${what} failed`, { sweep: this.sweepId, error: errorText(err) });
  }
}

function lostReport(trialId: string, attempt: number, reason: string): AttemptReport {
  return { ...endedWithoutExit('lost', reason), trialId, attempt, worker: null };
}
