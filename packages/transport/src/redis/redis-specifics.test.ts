import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type LostAttempt, STALLED_REASON } from '../lost-attempt';
import type { Transport } from '../ports';
import { type DoomedAgent, spawnDoomedAgent } from '../testing/spawn-doomed-agent';
import { eventually, trialJob } from '../testing/trial-job';
import { unlinkKeysUnder } from '../testing/unlink-keys';
import { createRedisTransport } from './create-redis-transport';
import { inspectRedis, persistenceOf, policyWarning } from './inspect-redis';
import type { RedisTransportOptions } from './redis-options';

// Unique prefixes on db 0; nothing here flushes.
const url = 'redis://127.0.0.1:6379/0';
const admin = new Redis(url);
const prefixes: string[] = [];
const opened: Transport[] = [];
const agents: DoomedAgent[] = [];

function open(prefix: string, over: Partial<RedisTransportOptions> = {}): Transport {
  const t = createRedisTransport({
    url,
    prefix,
    lockDurationMs: 1000,
    stalledIntervalMs: 500,
    closeTimeoutMs: 1000,
    poolRescanMs: 300,
    onError: () => {},
    ...over,
  });
  opened.push(t);
  return t;
}

function newPrefix(): string {
  const p = `hf-test-${randomUUID().slice(0, 8)}`;
  prefixes.push(p);
  return p;
}

afterEach(async () => {
  await Promise.allSettled(agents.splice(0).map((a) => a.kill()));
  await Promise.allSettled(opened.splice(0).map((t) => t.close()));
  for (const p of prefixes.splice(0)) await unlinkKeysUnder(admin, p);
});
afterAll(async () => {
  await admin.quit();
});

describe('redis transport specifics', () => {
  it('100 waiting log followers hold no connection each: a fresh follower of another trial hears its append', async () => {
    const prefix = newPrefix();
    // No timed re-reads within the test: only the shared watch can wake a follower.
    const t = open(prefix, { logs: { recheckMs: 60_000 } });
    const followers = Array.from({ length: 100 }, () => t.logs.read('busy', '0', 20_000));
    // Before the fix, 8 of these held the 8 pooled connections for 20 s and every other read queued behind them.
    const fresh = t.logs.read('quiet', '0', 20_000);
    await t.logs.append('quiet', 'hello\n');
    const beforeTheirWaitEnds = new Promise<'late'>((r) => setTimeout(() => r('late'), 10_000).unref());
    expect(await Promise.race([fresh, beforeTheirWaitEnds])).toMatchObject({ chunks: ['hello\n'] });
    expect(await Promise.race([t.logs.read('quiet', '0'), beforeTheirWaitEnds])).toMatchObject({ chunks: ['hello\n'] });
    await t.logs.append('busy', 'line\n');
    const all = await Promise.race([Promise.all(followers), beforeTheirWaitEnds]);
    expect(all).not.toBe('late');
    for (const r of all as Array<{ chunks: string[] }>) expect(r.chunks).toEqual(['line\n']);
  });

  it("a new report subscriber takes over a dead owner's unacknowledged batch at once, before newer ones", async () => {
    const prefix = newPrefix();
    // The default claim delay (60 s) would let the newer batch overtake the old one.
    const t = open(prefix, { reports: { claimIdleMs: 60_000 } });
    const key = `${prefix}:reports:sw`;
    const batch = (trialId: string) => [{ type: 'started' as const, trialId, attempt: 1, agentId: 'a', at: 1 }];
    await t.reports.publish('sw', batch('old'));
    // The previous controller read it and died before acknowledging it.
    await admin.xgroup('CREATE', key, 'controller', '0', 'MKSTREAM');
    await admin.xreadgroup('GROUP', 'controller', 'dead-controller', 'COUNT', 10, 'STREAMS', key, '>');
    await t.reports.publish('sw', batch('new'));
    const got: string[] = [];
    const sub = t.reports.subscribe('sw', 'next-controller', async (reports) => {
      got.push(...reports.map((r) => r.trialId));
    });
    await eventually(() => got.length >= 2, 5_000);
    expect(got).toEqual(['old', 'new']);
    await sub.close();
  });

  it('publishes of one turn share a round trip, and a sweep whose stream refuses fails only its own publishers', async () => {
    const prefix = newPrefix();
    const t = open(prefix);
    await admin.set(`${prefix}:reports:broken`, 'not a stream');
    const started = (trialId: string) => [{ type: 'started' as const, trialId, attempt: 1, agentId: 'a', at: 1 }];
    const [ok1, ok2, bad] = await Promise.allSettled([
      t.reports.publish('fine', started('t1')),
      t.reports.publish('fine', started('t2')),
      t.reports.publish('broken', started('t3')),
    ]);
    expect([ok1?.status, ok2?.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('WRONGTYPE') } });
    // The two publishes of the same turn went out as one stream entry.
    const entries = await admin.xrange(`${prefix}:reports:fine`, '-', '+');
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]?.[1][1] ?? '[]').map((r: { trialId: string }) => r.trialId)).toEqual(['t1', 't2']);
  });

  it('a controller that was down when the agent died finds the pool, sees the loss, and state() agrees', async () => {
    const prefix = newPrefix();
    const before = open(prefix);
    const agent = await spawnDoomedAgent(url, prefix, 'gpu', 1000);
    agents.push(agent);
    await before.queue.enqueue(trialJob('t1', { pool: 'gpu' }));
    expect(await agent.started).toBe('t1.a1');
    await before.close(); // the controller goes down
    await agent.kill(); // then the agent dies; no agent of the pool is left to run the stalled check

    const after = open(prefix); // never enqueued to 'gpu': finds the pool by scanning
    const lost: LostAttempt[] = [];
    after.queue.watchLost((l) => lost.push(l));
    await eventually(() => lost.length > 0, 15_000, 'the lost attempt');
    expect(lost[0]).toMatchObject({ pool: 'gpu', trialId: 't1', attempt: 1, cause: 'stalled' });
    expect(await after.queue.state('gpu', 't1', 1)).toEqual({ state: 'failed', failedReason: STALLED_REASON });
    expect(await after.queue.cancel('gpu', 't1', 1)).toBe(false);
  });

  it('uses the documented key layout, with TTLs on stop keys, logs and report streams', async () => {
    const prefix = newPrefix();
    const t = open(prefix);
    await t.queue.enqueue(trialJob('t1', { pool: 'cpu' }));
    await t.reports.publish('s1', [{ type: 'started', trialId: 't1', attempt: 1, agentId: 'a', at: 1 }]);
    await t.control.requestStop('t1');
    await t.logs.append('t1', 'hi');
    expect(await admin.exists(`${prefix}:trials:cpu:t1.a1`)).toBe(1);
    expect(await admin.type(`${prefix}:reports:s1`)).toBe('stream');
    expect(await admin.type(`${prefix}:logs:t1`)).toBe('stream');
    for (const key of [`${prefix}:stop:t1`, `${prefix}:logs:t1`, `${prefix}:reports:s1`]) {
      expect(await admin.pttl(key)).toBeGreaterThan(0);
    }
  });

  it('trims report entries once the group has acknowledged them', async () => {
    const prefix = newPrefix();
    const t = open(prefix, { reports: { trimIntervalMs: 100, blockMs: 100 } });
    for (let i = 0; i < 450; i++) {
      await t.reports.publish('s1', [{ type: 'started', trialId: `t${i}`, attempt: 1, agentId: 'a', at: i }]);
    }
    let got = 0;
    t.reports.subscribe('s1', 'c1', async (batch) => {
      got += batch.length;
    });
    await eventually(() => got === 450);
    await eventually(async () => (await admin.xlen(`${prefix}:reports:s1`)) <= 100, 5000, 'trimming');
    expect(((await admin.xpending(`${prefix}:reports:s1`, 'controller')) as unknown[])[0]).toBe(0);
  });

  it('a re-enqueue after completion stays a no-op (finished jobs are kept)', async () => {
    const prefix = newPrefix();
    const t = open(prefix);
    let runs = 0;
    const h = t.consumer.consume({ pool: 'default', concurrency: 1, agentId: 'a' }, async () => {
      runs++;
    });
    await t.queue.enqueue(trialJob('t1'));
    await eventually(async () => (await t.queue.state('default', 't1', 1)).state === 'completed');
    await t.queue.enqueue(trialJob('t1'));
    await new Promise((r) => setTimeout(r, 300));
    expect(runs).toBe(1);
    await h.close();
  });

  it('inspectRedis: eviction policy and persistence, each warned about loudly, no password in it', async () => {
    expect(await admin.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    const [, appendonly] = (await admin.config('GET', 'appendonly')) as string[];
    const [, save] = (await admin.config('GET', 'save')) as string[];
    const seen = await inspectRedis(url);
    // This machine's Redis keeps nothing on disk; a production one would say 'aof'.
    expect(seen.persistence).toBe(persistenceOf(appendonly, save));
    expect(seen.persistence).not.toBe('unknown');
    expect(seen.warnings.some((w) => /maxmemory-policy/.test(w))).toBe(false);
    if (seen.persistence === 'none') {
      expect(seen.atRisk).toMatch(/loses the whole queue/);
      expect(seen.warnings.join('\n')).toMatch(/appendonly yes/);
    }
    expect(persistenceOf('yes', '')).toBe('aof');
    expect(persistenceOf('no', '3600 1 300 100')).toBe('rdb');
    expect(persistenceOf('no', '')).toBe('none');
    expect(persistenceOf(undefined, '')).toBe('unknown');
    expect(policyWarning('allkeys-lru', 'redis://h:6379')).toMatch(/WARNING.*allkeys-lru.*noeviction/);
    const unreachable = await inspectRedis('redis://:topsecret@127.0.0.1:1/0', 500);
    expect(unreachable.persistence).toBe('unknown');
    expect(unreachable.warnings.join('\n')).toMatch(/could not read maxmemory-policy/);
    expect(JSON.stringify(unreachable)).not.toContain('topsecret');
  });
});
