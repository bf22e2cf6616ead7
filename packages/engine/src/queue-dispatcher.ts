import type { TrialEnvSpec } from '@hyperfleet/domain';
import type { TrialRecord } from '@hyperfleet/store';
import { type ControlChannel, jobIdOf, type TrialJob, type TrialQueue } from '@hyperfleet/transport';
import { errorText, type Logger } from './logger';
import type { AttemptReport, Dispatcher, TrialDispatch } from './ports';
import type { SubmittedPins } from './submitted-pins';

/** What every job of a sweep shares (from the submission); the trial adds argv, params, seed. */
export interface JobTemplate {
  pool: string;
  cwd: string;
  /** The sweep config's `env:` (secrets by name only). */
  env?: TrialEnvSpec;
  resources?: TrialJob['resources'];
  timeoutMs?: number;
  metrics?: TrialJob['metrics'];
  killGraceMs?: number;
  pins?: SubmittedPins;
  /** The sweep's container image, for executors that run attempts in containers. */
  image?: string;
}

export interface QueueDispatcherDeps {
  sweepId: string;
  queue: TrialQueue;
  control: ControlChannel;
  template: JobTemplate;
  /** Reports an attempt that was stopped before any agent took it (the scheduler waits for one). */
  reportNeverStarted: (report: AttemptReport) => void;
  /**
   * Fleet: a recovered attempt's job may still be queued, or running on an agent that outlived a Redis which
   * lost it. It is not enqueued again blindly; the reconciler asks the queue and the agents first.
   */
  reconcileRecovered?: boolean;
  /** Called before an attempt is first enqueued (records its lineage); failures are logged, never thrown. */
  beforeDispatch?: (trial: TrialRecord) => Promise<void>;
  /**
   * Fleet fair share: new jobs are held here, out of the queue, until the controller grants them a slot
   * (`sendHeld`); `waiting()` tells it that some wait. Absent: every job is enqueued once saved.
   */
  admission?: { waiting(): void };
  log: Logger;
}

/** One sweep's jobs of one pool: waiting for a slot, holding one, and the order of the oldest waiting. */
export interface PoolShare {
  held: number;
  inUse: number;
  oldest: number;
}

/** Orders held jobs across every sweep of this process: the fair-share pass serves the longest-waiting first. */
let holdOrder = 0;

/** An attempt handed to the queue and not yet ended, as the reconciler sees it. */
export interface OutstandingJob {
  job: TrialJob;
  /** Enqueue has not succeeded yet (Redis was away); the reconciler retries it. */
  unsent: boolean;
  stopRequested: boolean;
  /** Found in the store on recovery: whether its job is still in the queue is not known yet. */
  recovered?: boolean;
  /** Set until the first send: the trial whose lineage is recorded before its job goes out. */
  trial?: TrialRecord;
  /** Waiting for a fair-share slot: never enqueued yet (see QueueDispatcherDeps.admission); the order it waits in. */
  held?: number;
}

/**
 * The scheduler's Dispatcher over the trial queue: dispatch = note the job, `sendUnsent()` = enqueue the noted
 * jobs in bulk (idempotent per job id) after the store saved them; stop = the control channel plus removing
 * the job if no agent has taken it. Never throws into the scheduler: an enqueue or stop that fails is retried
 * by the reconciler, so a Redis blip cannot wedge the sweep.
 */
export class QueueDispatcher implements Dispatcher {
  private readonly jobs = new Map<string, OutstandingJob>();

  constructor(private readonly deps: QueueDispatcherDeps) {}

  async dispatch({ trial, attempt, recovered }: TrialDispatch): Promise<void> {
    const t = this.deps.template;
    const job: TrialJob = {
      sweepId: this.deps.sweepId,
      trialId: trial.id,
      attempt,
      pool: t.pool,
      argv: trial.command ?? [],
      params: trial.params,
      seed: trial.seed,
      cwd: t.cwd,
      ...(t.env === undefined ? {} : { env: t.env }),
      ...(t.resources === undefined ? {} : { resources: t.resources }),
      ...(t.timeoutMs === undefined ? {} : { timeoutMs: t.timeoutMs }),
      ...(t.metrics === undefined ? {} : { metrics: t.metrics }),
      ...(t.killGraceMs === undefined ? {} : { killGraceMs: t.killGraceMs }),
      ...(t.image === undefined ? {} : { image: t.image }),
      ...(t.pins === undefined
        ? {}
        : { pins: { code: t.pins.code, data: t.pins.data, bundle: t.pins.bundle, dataRemote: t.pins.dataRemote } }),
    };
    if (recovered && this.deps.reconcileRecovered) {
      this.jobs.set(trial.id, { job, unsent: false, stopRequested: false, recovered: true });
      return;
    }
    if (this.deps.admission) {
      // Granted a slot by the fair-share pass, which runs after the unit of work that created it is saved.
      this.jobs.set(trial.id, { job, unsent: false, stopRequested: false, trial, held: holdOrder++ });
      return;
    }
    // Sent by sendUnsent() once the unit of work that created it is saved (the store first).
    this.jobs.set(trial.id, { job, unsent: true, stopRequested: false, trial });
  }

  /**
   * Holds a job for a fair-share slot instead of sending it (a recovered attempt nobody runs); false when
   * this dispatcher has no admission, and the caller sends it itself.
   */
  hold(entry: OutstandingJob): boolean {
    if (!this.deps.admission) return false;
    entry.unsent = false;
    entry.recovered = false;
    entry.held = holdOrder++;
    this.deps.admission.waiting();
    return true;
  }

  /** Per pool: jobs waiting for a fair-share slot, jobs holding one (queued or running), the oldest wait. */
  shares(): Map<string, PoolShare> {
    const shares = new Map<string, PoolShare>();
    for (const e of this.jobs.values()) {
      const share = shares.get(e.job.pool) ?? { held: 0, inUse: 0, oldest: Number.POSITIVE_INFINITY };
      if (e.held === undefined) share.inUse++;
      else if (!e.stopRequested) {
        share.held++;
        share.oldest = Math.min(share.oldest, e.held);
      }
      shares.set(e.job.pool, share);
    }
    return shares;
  }

  /** Sends up to `n` of the held jobs of `pool`, longest-waiting first (fair share granted them); how many went. */
  async sendHeld(pool: string, n: number): Promise<number> {
    const entries = [...this.jobs.values()]
      .filter((e) => e.held !== undefined && !e.stopRequested && e.job.pool === pool)
      .sort((a, b) => (a.held ?? 0) - (b.held ?? 0))
      .slice(0, Math.max(0, n));
    for (const entry of entries) {
      entry.held = undefined;
      entry.unsent = true;
    }
    await this.sendEntries(entries);
    return entries.length;
  }

  /**
   * Enqueues every job dispatched since the last call, in one round trip per pool. Called after the store
   * saved the trials; a failure leaves them `unsent` for the reconciler.
   */
  async sendUnsent(): Promise<void> {
    if (this.deps.admission && [...this.jobs.values()].some((e) => e.held !== undefined)) this.deps.admission.waiting();
    await this.sendEntries([...this.jobs.values()].filter((e) => e.unsent && !e.stopRequested && e.trial));
  }

  private async sendEntries(entries: OutstandingJob[]): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) {
      const trial = entry.trial;
      entry.trial = undefined;
      if (!trial || !this.deps.beforeDispatch) continue;
      await this.deps.beforeDispatch(trial).catch((err: unknown) => {
        this.deps.log.warn('could not record the trial’s lineage', { trial: trial.id, error: errorText(err) });
      });
    }
    try {
      await this.deps.queue.enqueueMany(entries.map((e) => e.job));
      for (const entry of entries) entry.unsent = false;
    } catch (err) {
      this.deps.log.warn('enqueue failed; the reconciler retries it', { jobs: entries.length, error: errorText(err) });
    }
  }

  async stop(trialId: string): Promise<void> {
    const entry = this.jobs.get(trialId);
    if (!entry) return;
    entry.stopRequested = true;
    await this.sendStop(entry);
  }

  /** The attempt of a trial we are waiting on, if any. */
  current(trialId: string): OutstandingJob | undefined {
    return this.jobs.get(trialId);
  }

  outstanding(): OutstandingJob[] {
    return [...this.jobs.values()];
  }

  /** The trial ended: nothing more to watch. */
  forget(trialId: string): void {
    this.jobs.delete(trialId);
  }

  /** (Re-)sends a job: enqueue is idempotent per job id, so this is safe at any time. */
  async send(entry: OutstandingJob): Promise<boolean> {
    try {
      await this.deps.queue.enqueue(entry.job);
      entry.unsent = false;
      return true;
    } catch (err) {
      this.deps.log.warn('enqueue failed; the reconciler retries it', {
        job: jobIdOf(entry.job.trialId, entry.job.attempt),
        error: errorText(err),
      });
      return false;
    }
  }

  /** Asks the agent to stop the trial and removes the job if it is still waiting; safe to repeat. */
  async sendStop(entry: OutstandingJob): Promise<void> {
    const { job } = entry;
    try {
      // A held job never reached the queue: there is nothing to tell an agent or to take back.
      if (entry.held === undefined) await this.deps.control.requestStop(job.trialId);
      const removed =
        entry.held !== undefined || entry.unsent || (await this.deps.queue.cancel(job.pool, job.trialId, job.attempt));
      if (!removed) return; // an agent has it: it stops the trial and reports 'stopped'
      entry.unsent = false;
      entry.held = undefined;
      // No agent will ever report this attempt: report it here, outside the scheduler's current task.
      this.deps.reportNeverStarted({
        trialId: job.trialId,
        attempt: job.attempt,
        outcome: 'stopped',
        exitCode: null,
        signal: null,
        error: null,
        durationMs: 0,
        finalMetrics: {},
        malformedLines: 0,
        worker: null,
      });
    } catch (err) {
      this.deps.log.warn('stop request failed; the reconciler retries it', {
        trial: job.trialId,
        error: errorText(err),
      });
    }
  }
}
