import { closeClient } from '@hyperfleet/transport';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';

/** Where replicas meet: the controller's Redis and key prefix (channels `<prefix>:socket.io#…`). */
export interface DashboardRedis {
  url: string;
  prefix: string;
}

const QUIT_TIMEOUT_MS = 1000;

/**
 * The socket.io Redis adapter (pub/sub): an emit to a room on the replica that leads a sweep reaches the
 * sockets in that room on every replica. Two connections of its own (a subscriber cannot issue commands).
 */
export async function redisAdapter(
  redis: DashboardRedis,
  onError: (err: Error) => void,
): Promise<{ factory: ReturnType<typeof createAdapter>; close: () => Promise<void> }> {
  const pub = new Redis(redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
  const sub = pub.duplicate();
  pub.on('error', onError);
  sub.on('error', onError);
  // Bounded, and a disconnect when Redis is not there: a QUIT queued for a reconnect would never end.
  const quit = async () => {
    await Promise.all([closeClient(pub, QUIT_TIMEOUT_MS), closeClient(sub, QUIT_TIMEOUT_MS)]);
  };
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    await quit();
    throw err;
  }
  return { factory: createAdapter(pub, sub, { key: `${redis.prefix}:socket.io` }), close: quit };
}
