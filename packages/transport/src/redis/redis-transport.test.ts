import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import type { Transport } from '../ports';
import { type DoomedAgent, spawnDoomedAgent } from '../testing/spawn-doomed-agent';
import { unlinkKeysUnder } from '../testing/unlink-keys';
import { describeTransportContract } from '../transport.contract';
import { createRedisTransport } from './create-redis-transport';

// A dedicated logical DB: the flush test wipes it, so nothing else may live there (never db 0).
const DB = 11;
const url = `redis://127.0.0.1:6379/${DB}`;
const admin = new Redis(url, { lazyConnect: false });
afterAll(async () => {
  await admin.quit();
});

const LOCK_MS = 1000;

describeTransportContract('redis', async () => {
  const prefix = `hf-test-${randomUUID().slice(0, 8)}`;
  const opened: Transport[] = [];
  const open = () => {
    const t = createRedisTransport({
      url,
      prefix,
      lockDurationMs: LOCK_MS,
      stalledIntervalMs: LOCK_MS / 2,
      reports: { blockMs: 200, claimIdleMs: 500, retryDelayMs: 100 },
      logs: { maxChunksPerTrial: 50 },
      closeTimeoutMs: 1000,
      poolRescanMs: 500,
      onError: () => {},
    });
    opened.push(t);
    return t;
  };
  const agents: DoomedAgent[] = [];
  return {
    open,
    startDoomedAgent: async (pool) => {
      const agent = await spawnDoomedAgent(url, prefix, pool, LOCK_MS);
      agents.push(agent);
      return agent;
    },
    flush: async () => {
      await admin.flushdb();
    },
    lostWithinMs: 15_000,
    logSlack: 100,
    maxChunksPerTrial: 50,
    cleanup: async () => {
      await Promise.allSettled(agents.map((a) => a.kill()));
      await Promise.allSettled(opened.map((t) => t.close()));
      await unlinkKeysUnder(admin, prefix);
    },
  };
});
