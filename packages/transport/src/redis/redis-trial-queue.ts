import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { closeAll, once } from '../close-all';
import { type LostAttempt, lostCauseOf } from '../lost-attempt';
import { assertAttempt, assertId, assertJob, assertPoolName } from '../names';
import { type Closeable, type JobState, jobIdOf, type TrialJob, type TrialQueue } from '../ports';
import { TransportError } from '../transport-error';
import { Coalescer } from './coalescer';
import { LostEventReader } from './lost-event-reader';
import { blockingConnection, reportErrors } from './redis-clients';
import type { ResolvedRedisOptions } from './redis-options';

/** BullMQ rejects ':' in queue names, so the pool is the queue name and `${prefix}:trials` is BullMQ's prefix. */
export function bullPrefixOf(prefix: string): string {
  return `${prefix}:trials`;
}

/** BullMQ worker settings shared by agents and the controller's stalled checker; they must agree. */
export function stallSettings(o: ResolvedRedisOptions) {
  return {
    lockDuration: o.lockDurationMs,
    stalledInterval: o.stalledIntervalMs,
    // Never let BullMQ re-run a stalled job itself: it fails it, and the scheduler runs attempt N+1 under a new id.
    maxStalledCount: 0,
  };
}

const JOB_NAME = 'trial';

function parseJobId(id: string): { trialId: string; attempt: number } | undefined {
  const m = /^(.+)\.a(\d+)$/.exec(id);
  return m ? { trialId: m[1]!, attempt: Number(m[2]) } : undefined;
}

/** Controller side: one BullMQ Queue per pool on a shared connection; lost-job watching per pool. */
export class RedisTrialQueue implements TrialQueue {
  private readonly queues = new Map<string, Queue>();
  private readonly watchers = new Set<(lost: LostAttempt) => void>();
  private readonly watched = new Map<string, { events: LostEventReader; checker: Worker }>();
  private rescanTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly stateReads = new Coalescer<string, Array<string | null>>(async (keys) => {
    const pipeline = this.client().pipeline();
    for (const key of keys) pipeline.hmget(key, 'timestamp', 'finishedOn', 'failedReason', 'defa', 'processedOn');
    return ((await pipeline.exec()) ?? []).map(([error, fields]) => error ?? (fields as Array<string | null>));
  });

  constructor(
    private readonly o: ResolvedRedisOptions,
    private readonly client: () => Redis,
  ) {}

  private assertOpen(): void {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis trial queue is closed');
  }

  private queue(pool: string): Queue {
    assertPoolName(pool);
    let q = this.queues.get(pool);
    if (!q) {
      q = new Queue(pool, {
        connection: this.client(),
        prefix: bullPrefixOf(this.o.prefix),
        defaultJobOptions: {
          attempts: 1,
          // Kept for a while so a repeated enqueue of a finished attempt is still recognised (a no-op).
          removeOnComplete: this.o.keepFinished,
          removeOnFail: this.o.keepFinished,
        },
      });
      q.on('error', reportErrors(this.o.onError, `queue ${pool}`));
      this.queues.set(pool, q);
      if (this.watchers.size > 0) this.watchPool(pool);
    }
    return q;
  }

  async enqueue(job: TrialJob): Promise<void> {
    this.assertOpen();
    assertJob(job);
    // BullMQ's add is a no-op for an id that exists in any state, which makes enqueue idempotent.
    await this.queue(job.pool).add(JOB_NAME, job, { jobId: jobIdOf(job.trialId, job.attempt) });
  }

  async enqueueMany(jobs: readonly TrialJob[]): Promise<void> {
    this.assertOpen();
    const byPool = new Map<string, TrialJob[]>();
    for (const job of jobs) {
      assertJob(job);
      const same = byPool.get(job.pool);
      if (same) same.push(job);
      else byPool.set(job.pool, [job]);
    }
    await Promise.all(
      [...byPool].map(([pool, poolJobs]) =>
        this.queue(pool).addBulk(
          poolJobs.map((job) => ({ name: JOB_NAME, data: job, opts: { jobId: jobIdOf(job.trialId, job.attempt) } })),
        ),
      ),
    );
  }

  private async job(pool: string, trialId: string, attempt: number): Promise<Job | undefined> {
    this.assertOpen();
    assertId('trial id', trialId);
    assertAttempt(attempt);
    return (await this.queue(pool).getJob(jobIdOf(trialId, attempt))) ?? undefined;
  }

  async cancel(pool: string, trialId: string, attempt: number): Promise<boolean> {
    const job = await this.job(pool, trialId, attempt);
    if (!job || job.deferredFailure) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return false;
    try {
      // Fails when an agent took it meanwhile (the job is locked): then it is no longer cancellable.
      await job.remove();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Read from the job's hash rather than with BullMQ's getJob + getState (two round trips each): the
   * reconciler asks about every outstanding attempt of every sweep each pass, and the reads of one pass
   * go out as one pipeline.
   */
  async state(pool: string, trialId: string, attempt: number): Promise<{ state: JobState; failedReason?: string }> {
    this.assertOpen();
    assertPoolName(pool);
    assertId('trial id', trialId);
    assertAttempt(attempt);
    const key = `${bullPrefixOf(this.o.prefix)}:${pool}:${jobIdOf(trialId, attempt)}`;
    const [created, finishedOn, failedReason, deferredFailure, processedOn] = await this.stateReads.add(key);
    if (created === null) return { state: 'missing' };
    // moveToFinished writes finishedOn with either returnvalue or failedReason.
    if (finishedOn !== null)
      return failedReason === null
        ? { state: 'completed' }
        : { state: 'failed', failedReason: failedReason || 'failed' };
    // A stalled job with maxStalledCount 0 waits, marked to fail, until a worker picks it up: it is failed already.
    if (deferredFailure) return { state: 'failed', failedReason: deferredFailure };
    return { state: processedOn === null ? 'waiting' : 'active' };
  }

  async depth(pool: string): Promise<{ waiting: number; active: number }> {
    this.assertOpen();
    const c = await this.queue(pool).getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0 };
  }

  watchLost(onLost: (job: LostAttempt) => void): Closeable {
    this.assertOpen();
    this.watchers.add(onLost);
    if (this.watchers.size === 1) {
      for (const pool of this.queues.keys()) this.watchPool(pool);
      void this.rescan();
      this.rescanTimer = setInterval(() => void this.rescan(), this.o.poolRescanMs);
      this.rescanTimer.unref();
    }
    return {
      close: async () => {
        this.watchers.delete(onLost);
        if (this.watchers.size === 0) await this.unwatchAll();
      },
    };
  }

  /** Pools somebody else created (before a controller restart, say) are found by their BullMQ meta key. */
  private async rescan(): Promise<void> {
    if (this.closed || this.watchers.size === 0) return;
    const bull = bullPrefixOf(this.o.prefix);
    try {
      const client = this.client();
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${bull}:*:meta`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const pool = key.slice(bull.length + 1, -':meta'.length);
          if (/^[A-Za-z0-9_.-]{1,200}$/.test(pool)) this.queue(pool);
        }
      } while (cursor !== '0' && !this.closed);
    } catch (err) {
      reportErrors(this.o.onError, 'pool rescan')(err);
    }
  }

  private emit(pool: string, jobId: string, reason: string): void {
    const ids = parseJobId(jobId);
    if (!ids) return;
    const lost: LostAttempt = { pool, ...ids, reason, cause: lostCauseOf(reason) };
    for (const watch of this.watchers) {
      try {
        watch(lost);
      } catch (err) {
        reportErrors(this.o.onError, 'watchLost handler')(err);
      }
    }
  }

  private watchPool(pool: string): void {
    if (this.watched.has(pool) || this.closed) return;
    const prefix = bullPrefixOf(this.o.prefix);
    const events = new LostEventReader(this.o, `${prefix}:${pool}:events`, `events-${pool}`, (jobId, reason) =>
      this.emit(pool, jobId, reason),
    );
    // Agents run the stalled check too, but when every agent of a pool is dead only this one is left to run it.
    // Connection options (not an instance): BullMQ then owns this connection and closes it.
    const checker = new Worker(pool, null, {
      connection: blockingConnection(this.o, `stalled-check-${pool}`),
      prefix,
      autorun: false,
      ...stallSettings(this.o),
    });
    checker.on('error', reportErrors(this.o.onError, `stalled checker ${pool}`));
    void checker.startStalledCheckTimer().catch(reportErrors(this.o.onError, `stalled checker ${pool}`));
    this.watched.set(pool, { events, checker });
  }

  private async unwatchAll(): Promise<void> {
    clearInterval(this.rescanTimer);
    const watched = [...this.watched.values()];
    this.watched.clear();
    await closeAll(
      'lost-job watchers',
      watched.flatMap((w) => [() => w.events.close(), () => w.checker.close(true)]),
      this.o.closeTimeoutMs,
    );
  }

  readonly close = once(async () => {
    this.closed = true;
    this.watchers.clear();
    const queues = [...this.queues.values()];
    this.queues.clear();
    await closeAll(
      'trial queue',
      [() => this.unwatchAll(), ...queues.map((q) => () => q.close())],
      this.o.closeTimeoutMs,
    );
  });
}
