import { withTimeout } from '../close-all';
import { redactMessage, redactUrl } from './redact-url';
import { closeClient, createClient } from './redis-clients';

/** The warning for a `maxmemory-policy` value, or null for `noeviction`. */
export function policyWarning(policy: string | undefined, where: string): string | null {
  if (policy === 'noeviction') return null;
  return [
    `WARNING: Redis at ${where} has maxmemory-policy=${policy ?? 'unknown'}.`,
    'Under memory pressure Redis will EVICT queue and stream keys, and trials or metrics will be LOST.',
    'Set it to noeviction: `redis-cli CONFIG SET maxmemory-policy noeviction` (and in redis.conf).',
  ].join(' ');
}

/**
 * Reads `maxmemory-policy` and returns a loud warning unless it is `noeviction` (any other policy lets
 * Redis drop queue keys under memory pressure, and trials vanish); null when all is well.
 */
export async function checkRedisPolicy(url: string, timeoutMs = 5000): Promise<string | null> {
  const where = redactUrl(url);
  const client = createClient(url, 'policy-check', () => {}, false);
  try {
    const reply = (await withTimeout(client.config('GET', 'maxmemory-policy'), timeoutMs, 'CONFIG GET')) as string[];
    return policyWarning(reply[1], where);
  } catch (err) {
    // Managed Redis often disables CONFIG; say so instead of failing start-up.
    return [
      `WARNING: could not read maxmemory-policy from Redis at ${where} (${redactMessage((err as Error).message)}).`,
      'Make sure it is noeviction, or queue keys may be evicted and trials lost.',
    ].join(' ');
  } finally {
    await closeClient(client, timeoutMs);
  }
}
