import { withTimeout } from '../close-all';
import { redactMessage, redactUrl } from './redact-url';
import { closeClient, createClient } from './redis-clients';

/** What Redis keeps across a restart: AOF (about a second at risk), RDB snapshots only, nothing, or unknown. */
export type RedisPersistence = 'aof' | 'rdb' | 'none' | 'unknown';

/** What the server tells its operator about the Redis it runs on: at start-up and in `/readyz`. */
export interface RedisInspection {
  persistence: RedisPersistence;
  /** One line: what this persistence means for a sweep when Redis restarts. */
  atRisk: string;
  /** Loud warnings for the start-up log (eviction policy, persistence), none when all is well. */
  warnings: string[];
}

/** The warning for a `maxmemory-policy` value, or null for `noeviction`. */
export function policyWarning(policy: string | undefined, where: string): string | null {
  if (policy === 'noeviction') return null;
  return [
    `WARNING: Redis at ${where} has maxmemory-policy=${policy ?? 'unknown'}.`,
    'Under memory pressure Redis will EVICT queue and stream keys, and trials or metrics will be LOST.',
    'Set it to noeviction: `redis-cli CONFIG SET maxmemory-policy noeviction` (and in redis.conf).',
  ].join(' ');
}

/** Reads `appendonly` and `save` as CONFIG GET returns them. */
export function persistenceOf(appendonly: string | undefined, save: string | undefined): RedisPersistence {
  if (appendonly === undefined || save === undefined) return 'unknown';
  if (appendonly === 'yes') return 'aof';
  return save.trim() === '' ? 'none' : 'rdb';
}

const AT_RISK: Record<RedisPersistence, string> = {
  aof: 'AOF on: a Redis restart loses at most about a second of queue and report writes',
  rdb: 'RDB snapshots only: a Redis restart loses the queue and reports written since the last snapshot; the server rebuilds the queue from the store, agents re-send their recent reports, and attempts no agent vouches for run again as new attempts',
  none: 'no persistence: a Redis restart loses the whole queue and every unread report; the server rebuilds the queue from the store, agents re-send their recent reports, and attempts no agent vouches for run again as new attempts',
  unknown:
    'persistence unknown (CONFIG is not allowed): make sure AOF is on (appendonly yes), or a Redis restart re-runs attempts',
};

/**
 * Reads the settings that decide what a Redis failure costs: `maxmemory-policy` (anything but noeviction
 * lets Redis drop queue keys under memory pressure) and persistence (`appendonly`, `save`).
 */
export async function inspectRedis(url: string, timeoutMs = 5000): Promise<RedisInspection> {
  const where = redactUrl(url);
  const client = createClient(url, 'inspect', () => {}, false);
  const read = async (name: string) =>
    ((await withTimeout(client.config('GET', name), timeoutMs, 'CONFIG GET')) as string[])[1];
  try {
    const policy = await read('maxmemory-policy').catch((err: Error) => err);
    const appendonly = await read('appendonly').catch(() => undefined);
    const save = await read('save').catch(() => undefined);
    const persistence = persistenceOf(appendonly, save);
    const warnings: string[] = [];
    if (policy instanceof Error) {
      // Managed Redis often disables CONFIG; say so instead of failing start-up.
      warnings.push(
        `WARNING: could not read maxmemory-policy from Redis at ${where} (${redactMessage(policy.message)}). Make sure it is noeviction, or queue keys may be evicted and trials lost.`,
      );
    } else {
      const warning = policyWarning(policy, where);
      if (warning) warnings.push(warning);
    }
    if (persistence !== 'aof') {
      warnings.push(
        `WARNING: Redis at ${where}: ${AT_RISK[persistence]}. Turn on AOF: \`redis-cli CONFIG SET appendonly yes\` (and appendonly yes in redis.conf; the k8s manifests set it).`,
      );
    }
    return { persistence, atRisk: AT_RISK[persistence], warnings };
  } finally {
    await closeClient(client, timeoutMs);
  }
}
