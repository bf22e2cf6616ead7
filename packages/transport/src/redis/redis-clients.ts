import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { withTimeout } from '../close-all';
import { redactMessage } from './redact-url';

export type ErrorSink = (err: Error, source: string) => void;

/** Routes an 'error' event to the sink with secrets stripped; an unhandled 'error' would crash the process. */
export function reportErrors(sink: ErrorSink, source: string): (err: unknown) => void {
  return (err) => {
    const e = err instanceof Error ? err : new Error(String(err));
    const safe = new Error(redactMessage(e.message));
    safe.name = e.name;
    sink(safe, source);
  };
}

/**
 * A connection with its error listener attached. `blocking` connections (workers, XREADGROUP BLOCK,
 * subscribers) use `maxRetriesPerRequest: null` so a Redis restart makes them wait, not fail (BullMQ's guide).
 */
export function createClient(url: string, role: string, sink: ErrorSink, blocking: boolean): Redis {
  const opts: RedisOptions = {
    connectionName: `hyperfleet-${role}`,
    maxRetriesPerRequest: blocking ? null : 20,
    // Back off to at most 2 s between reconnects; never give up (the service outlives Redis restarts).
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  };
  const client = new Redis(url, opts);
  client.on('error', reportErrors(sink, `redis ${role}`));
  return client;
}

/** QUIT (lets in-flight replies arrive), bounded; DISCONNECT if that does not finish in time. */
export async function closeClient(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await withTimeout(client.quit(), timeoutMs, 'redis quit');
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}

/** Connection options for a BullMQ Worker that BullMQ creates, owns and closes itself. */
export function blockingConnection(o: { url: string }, role: string): BullRedisOptions {
  return {
    url: o.url,
    connectionName: `hyperfleet-${role}`,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  };
}
