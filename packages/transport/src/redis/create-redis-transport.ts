import type { Redis } from 'ioredis';
import { closeAll, once } from '../close-all';
import type { Transport } from '../ports';
import { closeClient, createClient } from './redis-clients';
import { RedisControlChannel } from './redis-control-channel';
import { RedisLogStream } from './redis-log-stream';
import { type RedisTransportOptions, resolveRedisOptions } from './redis-options';
import { RedisReportStream } from './redis-report-stream';
import { RedisTrialConsumer } from './redis-trial-consumer';
import { RedisTrialQueue } from './redis-trial-queue';

/**
 * Fleet-mode transport over one Redis. Connections open lazily on first use, so an agent opens no
 * controller-side queues and the controller no workers. One shared command connection; every blocking
 * use (BullMQ workers and event readers, XREADGROUP, SUBSCRIBE, XREAD BLOCK) gets its own.
 */
export function createRedisTransport(opts: RedisTransportOptions): Transport {
  const o = resolveRedisOptions(opts);
  let commands: Redis | undefined;
  const client = () => {
    commands ??= createClient(o.url, 'commands', o.onError, false);
    return commands;
  };
  const queue = new RedisTrialQueue(o, client);
  const consumer = new RedisTrialConsumer(o);
  const reports = new RedisReportStream(o, client);
  const control = new RedisControlChannel(o, client);
  const logs = new RedisLogStream(o, client);
  return {
    queue,
    consumer,
    reports,
    control,
    logs,
    close: once(async () => {
      try {
        // Users of the shared connection first, then the connection itself.
        await closeAll(
          'Redis transport',
          [
            () => consumer.close(),
            () => queue.close(),
            () => reports.close(),
            () => control.close(),
            () => logs.close(),
          ],
          o.closeTimeoutMs * 2,
        );
      } finally {
        if (commands) await closeClient(commands, o.closeTimeoutMs);
      }
    }),
  };
}
