import {
  addDroppedPoints,
  type DroppedPoints,
  type MetricPoint,
  type Params,
  type SweepStatus,
  type TrialStatus,
} from '@hyperfleet/domain';
import { createStrategy, type Observation } from '@hyperfleet/search';
import {
  type AttemptRecord,
  isStoreError,
  NOT_STARTED,
  newTrialRecord,
  type SweepRecord,
  type TrackingStore,
  type TrialRecord,
} from '@hyperfleet/store';
import { EarlyTermination } from './early-termination';
import type { AttemptReport, Clock, Dispatcher, SchedulerDeps, SweepPlan } from './ports';
import { bestOf, isBetter, reachesTarget } from './ranking';
import { SameFailureBreaker } from './same-failure-breaker';
import { SerialQueue } from './serial-queue';
import { trialSeed } from './trial-seed';
import { type FinalVerdict, judgeAttempt } from './trial-verdict';

export type SchedulerEvent =
  | { type: 'trial.created'; trial: TrialRecord }
  | { type: 'trial.started'; trialId: string; attempt: number }
  | { type: 'trial.metric'; trialId: string; value: number | null }
  | { type: 'trial.finished'; trial: TrialRecord }
  | { type: 'sweep.finished'; sweep: SweepRecord };

type StopIntent = 'cancel' | 'early-stop';

interface InFlight {
  trial: TrialRecord;
  attempt: number;
  /** Whether the attempt was reported started (and so has an attempt record to finish). */
  started: boolean;
  stopIntent: StopIntent | null;
  /** Why an early-termination rule stopped it: becomes the trial's `reason`. */
  stopReason?: string;
  /**
   * Every point of the sweep metric this trial has in the store went through reportMetrics here (first
   * attempt, not recovered): its ranking value is known without reading the store's summaries.
   */
  seenAllPoints: boolean;
  /** A point of the sweep metric arrived (NaN included). */
  sawMetric: boolean;
}

/**
 * The sweep state machine. Keeps `parallel` trials in flight, writes each trial to the store before it is
 * dispatched, ends the sweep at exhaustion / run_cap / metric.target / breaker / cancel. Every state change
 * runs on one serial queue; all time comes from the injected clock and all randomness from the sweep seed,
 * so the same plan and the same outcomes give the same trials.
 */
export class SweepScheduler {
  private readonly store: TrackingStore;
  private readonly dispatcher: Dispatcher;
  private readonly clock: Clock;
  private readonly breaker: SameFailureBreaker;
  private readonly earlyTermination: EarlyTermination | null;
  private readonly fillChunk: number;
  /** Trials with a lower index are saved, as far as the caller has said (`chunkSaved()`). */
  private savedIndex = 0;
  private readonly queue = new SerialQueue();
  private readonly inFlight = new Map<string, InFlight>();
  private readonly finished: Observation[] = [];
  private readonly listeners = new Set<(e: SchedulerEvent) => void>();
  private nextIndex = 0;
  private exhausted = false;
  private paused = false;
  /** Set once the sweep must launch nothing more; the value is how it will end. */
  private ending: { status: SweepStatus; reason: string } | null = null;
  private closed = false;
  private resolveDone!: (sweep: SweepRecord) => void;
  private rejectDone!: (err: unknown) => void;
  /** A unit of work threw (a store error, say): `done` rejected, and nothing more of this scheduler may be saved. */
  failed = false;
  /** The sweep's row exists (created, or found and recovered): trials may be written. */
  private started = false;
  /** Resolves with the final sweep record once no trial is in flight and nothing more will launch. */
  readonly done: Promise<SweepRecord>;

  constructor(
    private readonly plan: SweepPlan,
    deps: SchedulerDeps,
  ) {
    this.store = deps.store;
    this.dispatcher = deps.dispatcher;
    this.clock = deps.clock;
    this.breaker = new SameFailureBreaker(deps.breakerThreshold ?? 3);
    this.fillChunk = deps.fillChunk ?? Number.POSITIVE_INFINITY;
    this.earlyTermination =
      plan.earlyTerminate && plan.metric ? new EarlyTermination(plan.earlyTerminate, plan.metric) : null;
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
  }

  on(listener: (e: SchedulerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Persists the sweep (or re-attaches to a stored one), re-dispatches unfinished trials, fills the slots. */
  start(): Promise<void> {
    return this.run(async () => {
      const existing = await this.store.getSweep(this.plan.id);
      if (!existing) {
        await this.store.createSweep({
          id: this.plan.id,
          name: this.plan.name,
          status: 'running',
          method: this.plan.method,
          metricName: this.plan.metric?.name ?? null,
          goal: this.plan.metric?.goal ?? 'minimize',
          config: this.plan.config,
          seed: this.plan.seed,
          createdAt: this.clock.now(),
          finishedAt: null,
          reason: null,
        });
        await this.event('sweep.created', null, { method: this.plan.method, seed: this.plan.seed });
      } else {
        await this.recover();
      }
      this.started = true;
      await this.fill();
    });
  }

  reportStarted(trialId: string, attempt: number, worker: string | null = null): Promise<void> {
    return this.run(async () => {
      const flight = this.inFlight.get(trialId);
      // A stale attempt we gave up on, or a repeated (at-least-once) report of one already started.
      if (!flight || flight.attempt !== attempt || flight.started) return;
      const now = this.clock.now();
      await this.recordAttempt({
        trialId,
        attempt,
        worker,
        status: 'running',
        startedAt: now,
        endedAt: null,
        exitCode: null,
        signal: null,
        reason: null,
      });
      await this.store.updateTrial(trialId, { status: 'running', startedAt: now, attempts: attempt });
      flight.trial = { ...flight.trial, status: 'running', startedAt: now, attempts: attempt };
      flight.started = true;
      this.emit({ type: 'trial.started', trialId, attempt });
    });
  }

  /**
   * Points of the trial's current attempt that the ingest dropped (step -1, a value that is no number…): added
   * to the trial's record at once, so they are there whatever happens next. Rare, so one write each.
   */
  reportDropped(trialId: string, dropped: DroppedPoints): Promise<void> {
    return this.run(async () => {
      const flight = this.inFlight.get(trialId);
      if (!flight || Object.keys(dropped).length === 0) return;
      const droppedPoints = addDroppedPoints(flight.trial.droppedPoints ?? {}, dropped);
      flight.trial = { ...flight.trial, droppedPoints };
      await this.store.updateTrial(trialId, { droppedPoints });
    });
  }

  /** Writes a batch of points and keeps each trial's ranking value current; checks metric.target. */
  reportMetrics(points: MetricPoint[]): Promise<void> {
    return this.run(async () => {
      if (points.length === 0) return;
      await this.store.writeMetrics(points);
      // Early termination is judged on every report, not on a timer.
      for (const stop of this.earlyTermination?.observe(points, (id) => this.inFlight.has(id)) ?? []) {
        const { trialId, reason, rule, rung, iteration, threshold, value } = stop;
        await this.stopEarly(trialId, reason, { rule, rung, iteration, threshold, value });
      }
      const metric = this.plan.metric;
      if (!metric) return;
      const bestByTrial = new Map<string, number>();
      for (const p of points) {
        if (p.key !== metric.name) continue;
        const flight = this.inFlight.get(p.trialId);
        if (flight) flight.sawMetric = true;
        const prev = bestByTrial.get(p.trialId) ?? null;
        if (prev === null || isBetter(p.value, prev, metric.goal)) bestByTrial.set(p.trialId, p.value);
      }
      for (const [trialId, value] of bestByTrial) {
        const flight = this.inFlight.get(trialId);
        // A non-finite value is kept (data) only while the trial has no value at all; it never ranks as best.
        const shown = flight?.trial.metricValue === null && !Number.isFinite(value);
        if (!flight || !(shown || isBetter(value, flight.trial.metricValue, metric.goal))) continue;
        flight.trial = { ...flight.trial, metricValue: value };
        await this.store.updateTrial(trialId, { metricValue: value });
        this.emit({ type: 'trial.metric', trialId, value });
        if (!this.ending && reachesTarget(value, metric.target, metric.goal)) {
          this.ending = {
            status: 'finished',
            reason: `target reached: ${metric.name}=${value} in trial ${trialId} (target ${metric.target})`,
          };
        }
      }
    });
  }

  /**
   * Points of a trial's final attempt that arrive after it ended — re-sent by its agent after Redis lost them
   * unread, behind the ending that overtook them. Still its data: stored, and the trial's ranking value is
   * recomputed from everything stored.
   */
  reportLatePoints(points: MetricPoint[]): Promise<void> {
    return this.run(async () => {
      if (points.length === 0) return;
      await this.store.writeMetrics(points);
      const metric = this.plan.metric;
      if (!metric) return;
      for (const trialId of new Set(points.filter((p) => p.key === metric.name).map((p) => p.trialId))) {
        const summary = (await this.store.getSummaries(trialId)).find((s) => s.key === metric.name);
        if (!summary) continue;
        const value = bestOf(summary, metric.goal);
        await this.store.updateTrial(trialId, { metricValue: value });
        this.emit({ type: 'trial.metric', trialId, value });
      }
    });
  }

  reportFinished(report: AttemptReport): Promise<void> {
    return this.run(async () => {
      const flight = this.inFlight.get(report.trialId);
      if (!flight || flight.attempt !== report.attempt) return;
      const now = this.clock.now();
      const verdict = judgeAttempt(report, {
        stopIntent: flight.stopIntent,
        retriesLeft: report.outcome === 'lost' ? await this.retriesLeft(flight, report) : 0,
      });
      if (!flight.started && !report.neverTaken && (report.worker || report.outcome === 'lost')) {
        // It was taken — it ran, or its agent died with it — but its `started` report never arrived (lost with
        // Redis, or never sent): the attempt record is written from its end.
        await this.recordAttempt({
          trialId: report.trialId,
          attempt: report.attempt,
          worker: report.worker || null,
          status: 'running',
          startedAt: now - Math.round(report.durationMs),
          endedAt: null,
          exitCode: null,
          signal: null,
          reason: null,
        });
        flight.started = true;
      }
      if (flight.started) {
        await this.store.finishAttempt(report.trialId, report.attempt, {
          status: verdict.kind === 'retry' ? 'failed' : verdict.status,
          endedAt: now,
          exitCode: report.exitCode,
          signal: report.signal,
          reason: verdict.reason,
        });
      }
      if (verdict.kind === 'retry') {
        // The lost attempt's points are kept aside: the next attempt's series starts clean.
        await this.store.archiveAttemptMetrics(report.trialId, report.attempt);
        await this.event('trial.retried', report.trialId, { attempt: report.attempt, reason: verdict.reason });
        await this.dispatchAttempt(flight.trial, report.attempt + 1);
        return;
      }
      await this.finishTrial(flight, verdict, report, now);
      const tripped = this.breaker.record(verdict.failureSignature);
      if (tripped && !this.ending) {
        const n = this.finished.length;
        this.ending = {
          status: 'failed',
          reason: `stopped after the first ${n} trials all failed the same way: ${tripped}`,
        };
        await this.event('breaker.tripped', null, { reason: tripped });
        await this.stopAll('cancel');
      }
      await this.fill();
    });
  }

  /**
   * Retries left for a lost attempt: `retries` minus the earlier attempts that ran (those with a record). An
   * attempt whose job vanished before any agent took it (Redis lost the queue) ran nothing: it costs none.
   */
  private async retriesLeft(flight: InFlight, report: AttemptReport): Promise<number> {
    if (report.neverTaken) return Math.max(1, this.plan.retries);
    if (flight.attempt === 1) return this.plan.retries;
    const ran = (await this.store.listAttempts(flight.trial.id)).filter((a) => a.attempt < flight.attempt).length;
    return this.plan.retries - ran;
  }

  /** No new trials; running trials finish normally. */
  stop(reason = 'stopped by user'): Promise<void> {
    return this.run(async () => {
      this.ending ??= { status: 'finished', reason };
      await this.fill();
    });
  }

  /** No new trials, and every queued or running trial is stopped and recorded as cancelled. */
  cancel(reason = 'cancelled by user'): Promise<void> {
    return this.run(async () => {
      if (this.ending?.status !== 'failed') this.ending = { status: 'cancelled', reason };
      await this.stopAll('cancel');
      await this.fill();
    });
  }

  /** Stops one trial because an early-termination rule said so; it ends as `stopped`. */
  earlyStop(trialId: string, reason: string): Promise<void> {
    return this.run(() => this.stopEarly(trialId, reason, {}));
  }

  private async stopEarly(trialId: string, reason: string, details: Record<string, unknown>): Promise<void> {
    const flight = this.inFlight.get(trialId);
    if (!flight || flight.stopIntent) return;
    flight.stopIntent = 'early-stop';
    flight.stopReason = reason;
    await this.event('trial.early_stopped', trialId, { reason, ...details });
    await this.dispatcher.stop(trialId);
  }

  pause(): Promise<void> {
    return this.run(async () => {
      this.paused = true;
      await this.store.updateSweep(this.plan.id, { status: 'paused' });
    });
  }

  resume(): Promise<void> {
    return this.run(async () => {
      this.paused = false;
      await this.store.updateSweep(this.plan.id, { status: 'running' });
      await this.fill();
    });
  }

  private async finishTrial(flight: InFlight, verdict: FinalVerdict, report: AttemptReport, now: number) {
    const metricValue = await this.rankingValue(flight, report);
    const metric = this.plan.metric;
    const noMetric = verdict.status === 'succeeded' && metric !== null && metricValue === null;
    const patch = {
      status: verdict.status,
      endedAt: now,
      exitCode: report.exitCode,
      signal: report.signal,
      reason: noMetric
        ? `no metric: ${metric.name} was never reported`
        : verdict.status === 'stopped'
          ? (flight.stopReason ?? verdict.reason)
          : verdict.reason,
      metricValue,
      attempts: report.attempt,
    };
    await this.store.updateTrial(flight.trial.id, patch);
    const trial: TrialRecord = { ...flight.trial, ...patch };
    this.inFlight.delete(trial.id);
    this.earlyTermination?.finished(trial.id, verdict.status);
    this.finished.push(observation(trial.params, metricValue, verdict.status));
    await this.event(`trial.${verdict.status}`, trial.id, {
      reason: verdict.reason,
      exitCode: report.exitCode,
      signal: report.signal,
      durationMs: report.durationMs,
      malformedLines: report.malformedLines,
    });
    this.emit({ type: 'trial.finished', trial });
  }

  /**
   * The trial's value for ranking: the best finite value of the sweep metric, or a non-finite one (ranked after
   * every finite value) when it reported nothing else.
   */
  private async rankingValue(flight: InFlight, report: AttemptReport): Promise<number | null> {
    const metric = this.plan.metric;
    if (!metric) return null;
    const fallback = report.finalMetrics[metric.name] ?? flight.trial.metricValue;
    if (flight.seenAllPoints) return flight.sawMetric ? (flight.trial.metricValue ?? Number.NaN) : fallback;
    const summary = (await this.store.getSummaries(flight.trial.id)).find((s) => s.key === metric.name);
    if (summary) return bestOf(summary, metric.goal);
    return fallback;
  }

  /**
   * Whether the last fill stopped at its chunk with room left for more trials: the caller saves what it
   * created, then calls `fillMore()`.
   */
  get canFillMore(): boolean {
    return this.roomToFill() && (this.plan.runCap === undefined || this.nextIndex < this.plan.runCap);
  }

  /** Creates and dispatches the next chunk of trials (see `SchedulerDeps.fillChunk`). */
  fillMore(): Promise<void> {
    return this.run(() => this.fill());
  }

  /** How many trials exist so far: pass it to `chunkSaved()` once those are saved and dispatched. */
  get createdCount(): number {
    return this.nextIndex;
  }

  /** The first `createdCount` trials are saved and dispatched: the next fill may create a new chunk. */
  chunkSaved(createdCount: number): void {
    this.savedIndex = Math.max(this.savedIndex, createdCount);
  }

  private roomToFill(): boolean {
    // Not before start(): a trial written before its sweep's row (a reconcile or fair-share pass reaching a
    // runner still starting) would be refused by the store, and the submit with it.
    if (!this.started) return false;
    return !this.ending && !this.paused && !this.exhausted && this.inFlight.size < this.plan.parallel;
  }

  /** Launches trials until `parallel` are in flight or the sweep must end; finishes the sweep when idle. */
  private async fill(): Promise<void> {
    while (this.roomToFill()) {
      const capLeft = this.plan.runCap === undefined ? Number.POSITIVE_INFINITY : this.plan.runCap - this.nextIndex;
      if (capLeft <= 0) {
        this.ending = { status: 'finished', reason: `run_cap of ${this.plan.runCap} trials reached` };
        break;
      }
      const budget = this.fillChunk - (this.nextIndex - this.savedIndex);
      if (budget <= 0) break;
      const n = Math.min(this.plan.parallel - this.inFlight.size, capLeft, budget);
      const { suggestions, exhausted } = createStrategy(this.plan.method)({
        space: this.plan.space,
        goal: this.plan.metric?.goal ?? 'minimize',
        finished: this.finished,
        pending: [...this.inFlight.values()].map((f) => f.trial.params),
        n,
        startIndex: this.nextIndex,
        seed: this.plan.seed,
        options: this.plan.strategyOptions,
      });
      for (const params of suggestions) await this.createTrial(params);
      if (exhausted) this.exhausted = true;
      if (suggestions.length === 0) break;
    }
    if (this.exhausted && !this.ending) this.ending = { status: 'finished', reason: 'search space exhausted' };
    if (this.ending && this.inFlight.size === 0) await this.finishSweep();
  }

  private async createTrial(params: Params): Promise<void> {
    const index = this.nextIndex++;
    const id = `${this.plan.id}-${index}`;
    const seed = trialSeed(this.plan.seed, index);
    const trial = newTrialRecord({
      id,
      sweepId: this.plan.id,
      index,
      params,
      seed,
      command: this.plan.command(params, { id, index, seed }),
      createdAt: this.clock.now(),
    });
    // The store first: a crash after this line leaves a queued trial that recover() re-dispatches. The row is
    // the creation record (index, params, seed, createdAt); an event repeating it cost a row per trial.
    await this.store.createTrial(trial);
    this.emit({ type: 'trial.created', trial });
    await this.dispatchAttempt(trial, 1);
    const flight = this.inFlight.get(id);
    if (flight) flight.seenAllPoints = true;
  }

  /**
   * Writes a started attempt's record. One already there was written by a predecessor that died before it saved
   * the trial as running (two writes when the trial was recovered, not created here): it stands, and the
   * redelivered report goes on instead of failing the sweep runner again and again.
   */
  private async recordAttempt(record: AttemptRecord): Promise<void> {
    try {
      await this.store.startAttempt(record);
    } catch (err) {
      if (!isStoreError(err, 'STORE_CONFLICT')) throw err;
    }
  }

  private async dispatchAttempt(trial: TrialRecord, attempt: number): Promise<void> {
    // A retry's number is saved with the unit of work that sends its job: a sweep recovered from the store
    // then waits on this attempt, not on the lost one (whose job may still read `failed`).
    // Its lost attempt's points were archived: so goes the ranking value they gave (as retry-failed does).
    const retry = attempt > 1 ? { ...NOT_STARTED, attempts: attempt } : {};
    const queued = { ...trial, status: 'queued' as TrialStatus, ...retry };
    if (attempt > 1) await this.store.updateTrial(trial.id, { status: 'queued', ...retry });
    else if (trial.status !== 'queued') await this.store.updateTrial(trial.id, { status: 'queued' });
    this.inFlight.set(trial.id, {
      trial: queued,
      attempt,
      started: false,
      stopIntent: null,
      seenAllPoints: false,
      sawMetric: false,
    });
    await this.dispatcher.dispatch({ trial: queued, attempt });
  }

  /**
   * Hands an unfinished trial found in the store to the dispatcher again. Its attempt number is kept, so a
   * queue that still holds the job ignores the repeat (job id = trial + attempt); a running trial stays
   * `running` with its attempt record, and its report finishes it as usual.
   */
  private async redispatch(trial: TrialRecord): Promise<void> {
    const attempt = Math.max(1, trial.attempts);
    const started = trial.status === 'running';
    this.inFlight.set(trial.id, { trial, attempt, started, stopIntent: null, seenAllPoints: false, sawMetric: false });
    await this.dispatcher.dispatch({ trial, attempt, recovered: true });
  }

  private async stopAll(intent: StopIntent): Promise<void> {
    for (const flight of this.inFlight.values()) {
      if (flight.stopIntent) continue;
      flight.stopIntent = intent;
      await this.dispatcher.stop(flight.trial.id);
    }
  }

  /** Re-attaches to a stored sweep: finished trials feed the strategy, unfinished ones are dispatched again. */
  private async recover(): Promise<void> {
    const trials = await this.store.listTrials(this.plan.id);
    await this.earlyTermination?.load(this.store, trials);
    this.nextIndex = trials.reduce((max, t) => Math.max(max, t.index + 1), 0);
    this.savedIndex = this.nextIndex;
    const unfinished: TrialRecord[] = [];
    for (const t of trials) {
      if (t.status === 'queued' || t.status === 'running') unfinished.push(t);
      else this.finished.push(observation(t.params, t.metricValue, t.status));
    }
    for (const t of unfinished) await this.redispatch(t);
    await this.event('sweep.recovered', null, { finished: this.finished.length, redispatched: unfinished.length });
  }

  private async finishSweep(): Promise<void> {
    if (this.closed || !this.ending) return;
    this.closed = true;
    const patch = { status: this.ending.status, reason: this.ending.reason, finishedAt: this.clock.now() };
    await this.store.updateSweep(this.plan.id, patch);
    await this.event(`sweep.${this.ending.status}`, null, { reason: this.ending.reason });
    const sweep = await this.store.getSweep(this.plan.id);
    if (!sweep) throw new Error(`sweep ${this.plan.id} vanished from the store`);
    this.emit({ type: 'sweep.finished', sweep });
    this.resolveDone(sweep);
  }

  private event(type: string, trialId: string | null, data: unknown): Promise<void> {
    return this.store.appendEvent({ at: this.clock.now(), sweepId: this.plan.id, trialId, type, actor: null, data });
  }

  private emit(e: SchedulerEvent): void {
    for (const listener of this.listeners) listener(e);
  }

  /** Serializes a state change; a store failure ends the sweep's `done` with that error instead of hanging. */
  private run(task: () => Promise<void>): Promise<void> {
    return this.queue.run(task).catch((err: unknown) => {
      this.failed = true;
      this.rejectDone(err);
      throw err;
    });
  }
}

/**
 * What the search learns from a finished trial. A non-finite objective (NaN, ±Infinity) is no observation of
 * "best": the search sees the trial as failed with no value — the worst outcome, as Optuna treats NaN.
 */
function observation(params: Params, value: number | null, status: TrialStatus): Observation {
  if (value !== null && !Number.isFinite(value)) return { params, value: null, status: 'failed' };
  const finished = status === 'succeeded' || status === 'stopped' || status === 'cancelled' ? status : 'failed';
  return { params, value, status: finished };
}

export type { Clock, Dispatcher };
