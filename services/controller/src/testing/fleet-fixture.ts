import { randomUUID } from 'node:crypto';
import { openPostgresStore, type SqlTrackingStore } from '@hyperfleet/store';
import { createRedisTransport, type Transport } from '@hyperfleet/transport';
import { unlinkKeysUnder } from '@hyperfleet/transport/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { RedisCoordination } from '../redis-coordination';
import type { SweepLeasesOptions } from '../sweep-leases';
import { type Harness, startHarness } from './harness';

// The real services (README): Redis on 6379, Postgres with trust auth and database `test`.
export const REDIS_URL = process.env.HYPERFLEET_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const PG_URL = process.env.HYPERFLEET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const LOCK_MS = 1000;

/**
 * One Postgres schema and one Redis key prefix per test (never a flush: other suites share the server), with
 * helpers to open controller replicas and agent-side transports on them, and to wipe the prefix (a "flushed" Redis).
 */
export function fleetFixture() {
  const prefix = `hf-ctl-${randomUUID().slice(0, 8)}`;
  const schema = `hf_ctl_${process.pid}_${randomUUID().slice(0, 8)}`;
  const closers: Array<() => Promise<unknown>> = [];
  const admin = new Redis(REDIS_URL);

  const transport = (): Transport => {
    const t = createRedisTransport({
      url: REDIS_URL,
      prefix,
      lockDurationMs: LOCK_MS,
      stalledIntervalMs: LOCK_MS / 2,
      reports: { blockMs: 100, claimIdleMs: 300, retryDelayMs: 50 },
      closeTimeoutMs: 1000,
      poolRescanMs: 200,
      onError: () => {},
    });
    closers.push(() => t.close());
    return t;
  };

  const store = async (): Promise<SqlTrackingStore> => {
    const s = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 });
    closers.push(() => s.close());
    return s;
  };

  /** A controller replica with its own connections (as a separate process would have); `runtime` adds options. */
  const replica = async (runtime: Partial<SweepLeasesOptions> = {}): Promise<Harness> => {
    const coordination = new RedisCoordination({ url: REDIS_URL, prefix });
    closers.push(() => coordination.close());
    const h = await startHarness({
      store: await store(),
      transport: transport(),
      coordination,
      runtime: { lockTtlMs: 600, tickMs: 100, reconcileMs: 150, ...runtime },
    });
    closers.push(() => h.close());
    return h;
  };

  /** Deletes every key under the prefix: what a Redis restart without persistence does to us. */
  const wipeRedis = () => unlinkKeysUnder(admin, prefix);

  const cleanup = async () => {
    while (closers.length > 0)
      await closers
        .pop()?.()
        .catch(() => undefined);
    await wipeRedis();
    await admin.quit();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  };

  return { prefix, transport, store, replica, wipeRedis, cleanup };
}
