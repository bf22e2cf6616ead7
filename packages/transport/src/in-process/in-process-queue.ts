import { closeAll, once, withTimeout } from '../close-all';
import { Fifo } from '../fifo';
import { failedReasonOf, type LostAttempt, lostCauseOf, STALLED_REASON } from '../lost-attempt';
import { assertJob, assertPoolName } from '../names';
import {
  type Closeable,
  type ConsumeOptions,
  type ConsumerHandle,
  type JobState,
  jobIdOf,
  type TrialConsumer,
  type TrialJob,
  type TrialQueue,
} from '../ports';
import { TransportError } from '../transport-error';

export interface InProcessQueueOptions {
  /** Finished jobs kept per pool (so a re-enqueue of a finished attempt stays a no-op). Default 10,000. */
  keepFinished?: number;
  /** How long `close()` of a consumer waits for running handlers before abandoning them as lost. Default 10 s. */
  closeTimeoutMs?: number;
}

/** The in-process consumer handle adds a test hook that simulates the agent dying (SIGKILL). */
export interface InProcessConsumerHandle extends ConsumerHandle {
  /**
   * Simulates the agent vanishing: takes no more jobs, its running attempts fail as stalled and surface
   * through `watchLost`; whatever their handlers do later is ignored (as BullMQ ignores a worker whose lock expired).
   */
  kill(): void;
}

export interface InProcessTrialConsumer extends TrialConsumer {
  consume(opts: ConsumeOptions, handler: (job: TrialJob) => Promise<void>): InProcessConsumerHandle;
}

interface Entry {
  id: string;
  job: TrialJob;
  state: Exclude<JobState, 'missing'>;
  failedReason?: string;
  owner?: Consumer;
}

interface Pool {
  waiting: Fifo<Entry>;
  consumers: Consumer[];
  next: number; // round-robin cursor over consumers
  finished: Fifo<Entry>;
  active: number;
}

interface Consumer {
  opts: ConsumeOptions;
  handler: (job: TrialJob) => Promise<void>;
  running: Set<Entry>;
  taking: boolean;
  idle: Array<() => void>;
}

/**
 * One broker shared by the controller side (`queue`) and any number of agent-side consumers, with the
 * same semantics as the BullMQ adapter: idempotent enqueue per job id, FIFO per pool, cancel only while
 * waiting, failed-as-stalled for vanished consumers. Dispatch runs on microtasks (no polling), so
 * embedded mode costs next to nothing per trial.
 */
export class InProcessQueueBroker {
  private readonly pools = new Map<string, Pool>();
  private readonly entries = new Map<string, Entry>();
  private readonly lostWatchers = new Set<(lost: LostAttempt) => void>();
  private readonly consumers = new Set<Consumer>();
  private readonly keepFinished: number;
  private readonly closeTimeoutMs: number;
  private closed = false;

  readonly queue: TrialQueue;
  readonly consumer: InProcessTrialConsumer;

  constructor(opts: InProcessQueueOptions = {}) {
    this.keepFinished = opts.keepFinished ?? 10_000;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
    this.queue = {
      enqueue: async (job) => this.enqueue(job),
      enqueueMany: async (jobs) => {
        for (const job of jobs) this.enqueue(job);
      },
      cancel: async (pool, trialId, attempt) => this.cancel(pool, trialId, attempt),
      state: async (pool, trialId, attempt) => this.state(pool, trialId, attempt),
      depth: async (pool) => this.depth(pool),
      watchLost: (onLost) => this.watchLost(onLost),
      close: async () => {},
    };
    this.consumer = { consume: (o, h) => this.consume(o, h) };
  }

  private pool(name: string): Pool {
    let pool = this.pools.get(name);
    if (!pool) {
      pool = { waiting: new Fifo(), consumers: [], next: 0, finished: new Fifo(), active: 0 };
      this.pools.set(name, pool);
    }
    return pool;
  }

  private key(pool: string, trialId: string, attempt: number): string {
    return `${pool}\u0000${jobIdOf(trialId, attempt)}`;
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the in-process transport is closed');
  }

  private enqueue(job: TrialJob): void {
    this.assertOpen();
    assertJob(job);
    const key = this.key(job.pool, job.trialId, job.attempt);
    if (this.entries.has(key)) return;
    // Cloned so neither side can mutate the other's copy (Redis serializes; keep the same contract).
    const entry: Entry = { id: key, job: structuredClone(job), state: 'waiting' };
    this.entries.set(key, entry);
    this.pool(job.pool).waiting.push(entry);
    this.dispatch(job.pool);
  }

  private cancel(pool: string, trialId: string, attempt: number): boolean {
    const entry = this.entries.get(this.key(pool, trialId, attempt));
    if (entry?.state !== 'waiting') return false;
    this.pool(pool).waiting.remove(entry);
    this.entries.delete(entry.id);
    return true;
  }

  private state(pool: string, trialId: string, attempt: number): { state: JobState; failedReason?: string } {
    const entry = this.entries.get(this.key(pool, trialId, attempt));
    if (!entry) return { state: 'missing' };
    return entry.failedReason === undefined
      ? { state: entry.state }
      : { state: entry.state, failedReason: entry.failedReason };
  }

  private depth(pool: string): { waiting: number; active: number } {
    assertPoolName(pool);
    const p = this.pools.get(pool);
    return { waiting: p?.waiting.size ?? 0, active: p?.active ?? 0 };
  }

  private watchLost(onLost: (lost: LostAttempt) => void): Closeable {
    this.lostWatchers.add(onLost);
    return {
      close: async () => {
        this.lostWatchers.delete(onLost);
      },
    };
  }

  private consume(opts: ConsumeOptions, handler: (job: TrialJob) => Promise<void>): InProcessConsumerHandle {
    this.assertOpen();
    assertPoolName(opts.pool);
    if (!Number.isSafeInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new TransportError('TRANSPORT_INVALID', `invalid concurrency ${opts.concurrency}`, {
        hint: 'concurrency is a whole number ≥ 1',
      });
    }
    const consumer: Consumer = { opts: { ...opts }, handler, running: new Set(), taking: true, idle: [] };
    this.consumers.add(consumer);
    const pool = this.pool(opts.pool);
    pool.consumers.push(consumer);
    queueMicrotask(() => this.dispatch(opts.pool));

    const stopTaking = () => {
      consumer.taking = false;
      const i = pool.consumers.indexOf(consumer);
      if (i >= 0) pool.consumers.splice(i, 1);
    };
    const drain = (): Promise<void> => {
      stopTaking();
      if (consumer.running.size === 0) return Promise.resolve();
      return new Promise((resolve) => consumer.idle.push(resolve));
    };
    const kill = () => {
      stopTaking();
      this.abandon(consumer, STALLED_REASON);
    };
    const close = once(async () => {
      try {
        await closeAll('in-process consumer', [drain], this.closeTimeoutMs);
      } catch {
        // Handlers still running past the bound: give their attempts up as lost, as a killed agent would.
      } finally {
        kill();
      }
    });
    return { drain, close, kill };
  }

  /** Fails every running attempt of a consumer as lost; their handlers' later results are ignored. */
  private abandon(consumer: Consumer, reason: string): void {
    for (const entry of [...consumer.running]) this.settle(consumer, entry, 'failed', reason);
    this.consumers.delete(consumer);
  }

  private dispatch(poolName: string): void {
    const pool = this.pools.get(poolName);
    if (!pool) return;
    while (pool.waiting.size > 0) {
      const consumer = this.pickConsumer(pool);
      if (!consumer) return;
      const entry = pool.waiting.shift()!;
      entry.state = 'active';
      entry.owner = consumer;
      pool.active++;
      consumer.running.add(entry);
      const job = structuredClone(entry.job);
      Promise.resolve()
        .then(() => consumer.handler(job))
        .then(
          () => this.settle(consumer, entry, 'completed'),
          (err: unknown) => this.settle(consumer, entry, 'failed', failedReasonOf(err)),
        );
    }
  }

  private pickConsumer(pool: Pool): Consumer | undefined {
    const n = pool.consumers.length;
    for (let i = 0; i < n; i++) {
      const c = pool.consumers[(pool.next + i) % n]!;
      if (c.taking && c.running.size < c.opts.concurrency) {
        pool.next = (pool.next + i + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  private settle(consumer: Consumer, entry: Entry, state: 'completed' | 'failed', reason?: string): void {
    // A handler that finishes after its consumer was killed/abandoned no longer owns the job.
    if (entry.owner !== consumer || entry.state !== 'active') return;
    consumer.running.delete(entry);
    entry.owner = undefined;
    entry.state = state;
    if (reason !== undefined) entry.failedReason = reason;
    const pool = this.pool(entry.job.pool);
    pool.active--;
    pool.finished.push(entry);
    while (pool.finished.size > this.keepFinished) {
      const old = pool.finished.shift()!;
      this.entries.delete(old.id);
    }
    if (state === 'failed' && reason !== undefined) {
      const lost: LostAttempt = {
        pool: entry.job.pool,
        trialId: entry.job.trialId,
        attempt: entry.job.attempt,
        reason,
        cause: lostCauseOf(reason),
      };
      // Asynchronous like a Redis event, so a watcher never runs inside the code that settled the job.
      for (const watch of this.lostWatchers) queueMicrotask(() => watch(lost));
    }
    if (consumer.running.size === 0) for (const resolve of consumer.idle.splice(0)) resolve();
    this.dispatch(entry.job.pool);
  }

  /** Stops every consumer (bounded) and refuses further calls. */
  async close(): Promise<void> {
    this.closed = true;
    const consumers = [...this.consumers];
    const idle = consumers.map((c) =>
      c.running.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => c.idle.push(resolve)),
    );
    // Running handlers get the close bound to finish; the rest are given up as lost below.
    await withTimeout(Promise.all(idle), this.closeTimeoutMs, 'in-process queue').catch(() => {});
    for (const c of consumers) {
      c.taking = false;
      this.abandon(c, STALLED_REASON);
    }
    for (const pool of this.pools.values()) pool.consumers.length = 0;
    this.lostWatchers.clear();
  }
}
