import { UnrecoverableError, Worker } from 'bullmq';
import { once, withTimeout } from '../close-all';
import { failedReasonOf } from '../lost-attempt';
import { assertPoolName } from '../names';
import type { ConsumeOptions, ConsumerHandle, TrialConsumer, TrialJob } from '../ports';
import { TransportError } from '../transport-error';
import { blockingConnection, reportErrors } from './redis-clients';
import type { ResolvedRedisOptions } from './redis-options';
import { bullPrefixOf, stallSettings } from './redis-trial-queue';

/** Agent side: one BullMQ Worker per `consume` call, with its own connections. */
export class RedisTrialConsumer implements TrialConsumer {
  private readonly handles = new Set<ConsumerHandle>();
  private closed = false;

  constructor(private readonly o: ResolvedRedisOptions) {}

  consume(opts: ConsumeOptions, handler: (job: TrialJob) => Promise<void>): ConsumerHandle {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis trial consumer is closed');
    assertPoolName(opts.pool);
    if (!Number.isSafeInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new TransportError('TRANSPORT_INVALID', `invalid concurrency ${opts.concurrency}`, {
        hint: 'concurrency is a whole number ≥ 1',
      });
    }
    const worker = new Worker<TrialJob>(
      opts.pool,
      async (job) => {
        try {
          await handler(job.data);
        } catch (err) {
          // Unrecoverable: BullMQ must never retry an attempt itself; the scheduler decides on attempt N+1.
          throw new UnrecoverableError(failedReasonOf(err));
        }
      },
      {
        connection: blockingConnection(this.o, `agent-${opts.agentId}`),
        prefix: bullPrefixOf(this.o.prefix),
        concurrency: opts.concurrency,
        name: opts.agentId,
        ...stallSettings(this.o),
        // Short long-poll so drain/close do not wait out BullMQ's default 5 s block.
        drainDelay: 1,
      },
    );
    worker.on('error', reportErrors(this.o.onError, `worker ${opts.pool}`));

    // pause() stops fetching and waits for running handlers; their locks keep being renewed meanwhile.
    const drain = once(() => worker.pause());
    const close = once(async () => {
      this.handles.delete(handle);
      // BullMQ memoizes close(), so a graceful close cannot be upgraded to a forced one: wait (bounded) for
      // running handlers via drain, then always close with force.
      await withTimeout(drain(), this.o.closeTimeoutMs, `draining the worker for pool ${opts.pool}`).catch(() => {
        // Handlers still running past the bound: their locks lapse once closed, and they come back as lost.
      });
      await withTimeout(worker.close(true), this.o.closeTimeoutMs, 'closing a worker').catch(
        reportErrors(this.o.onError, `worker ${opts.pool}`),
      );
    });
    const handle: ConsumerHandle = { drain, close };
    this.handles.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.handles].map((h) => h.close()));
  }
}
