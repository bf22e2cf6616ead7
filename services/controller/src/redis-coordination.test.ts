import { randomUUID } from 'node:crypto';
import { deleteKeysUnder } from '@hyperfleet/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisCoordination } from './redis-coordination';
import { REDIS_URL } from './testing/fleet-fixture';

const opened: RedisCoordination[] = [];
const prefixes = new Set<string>();
afterEach(async () => {
  while (opened.length > 0) await opened.pop()?.close();
  for (const prefix of prefixes) await deleteKeysUnder(REDIS_URL, prefix);
  prefixes.clear();
});

function open(prefix: string) {
  prefixes.add(prefix);
  const c = new RedisCoordination({ url: REDIS_URL, prefix });
  opened.push(c);
  return c;
}

describe('RedisCoordination', () => {
  it('keepMarker: false the first time and after the store lost its data (a flush), true while it holds', async () => {
    const prefix = `hf-ctl-${randomUUID().slice(0, 8)}`;
    const c = open(prefix);
    expect(await c.keepMarker('w', 10_000)).toBe(false);
    expect(await c.keepMarker('w', 10_000)).toBe(true);
    await deleteKeysUnder(REDIS_URL, prefix);
    expect(await c.keepMarker('w', 10_000)).toBe(false);
    expect(await c.keepMarker('w', 10_000)).toBe(true);
  });

  it('sweep locks: one owner at a time, renew only by the owner, expiry frees it, release only by the owner', async () => {
    const prefix = `hf-ctl-${randomUUID().slice(0, 8)}`;
    const a = open(prefix);
    const b = open(prefix);
    expect(await a.acquireLock('s', 'A', 300)).toBe(true);
    expect(await b.acquireLock('s', 'B', 300)).toBe(false);
    expect(await a.acquireLock('s', 'A', 300)).toBe(true); // re-entrant for the owner
    expect(await b.renewLock('s', 'B', 300)).toBe(false);
    await b.releaseLock('s', 'B');
    expect(await a.renewLock('s', 'A', 100)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.renewLock('s', 'A', 300)).toBe(false);
    expect(await b.acquireLock('s', 'B', 300)).toBe(true);
    await b.releaseLock('s', 'B');
    expect(await a.acquireLock('s', 'A', 300)).toBe(true);
    await a.releaseLock('s', 'A');
  });

  it('agents expire with their TTL, heartbeats refresh only live records; pools are remembered; commands are taken once', async () => {
    const prefix = `hf-ctl-${randomUUID().slice(0, 8)}`;
    const c = open(prefix);
    const agent = {
      agentId: 'a1',
      host: 'h',
      pool: 'gpu',
      slots: 1,
      running: [],
      gpus: [],
      draining: false,
      version: '1',
      registeredAt: 1,
      lastHeartbeat: 1,
    };
    // A heartbeat refreshes a live record, never one Redis lost (it would hide the loss from the agent).
    expect(await c.refreshAgent(agent, 10_000)).toBe(false);
    expect(await c.getAgent('a1')).toBeNull();
    await c.putAgent(agent, 10_000);
    expect(await c.refreshAgent({ ...agent, lastHeartbeat: 2 }, 150)).toBe(true);
    expect(await c.getAgent('a1')).toEqual({ ...agent, lastHeartbeat: 2 });
    await c.putAgent(agent, 150);
    await c.addPool('gpu');
    expect(await c.listAgents()).toEqual([agent]);
    await new Promise((r) => setTimeout(r, 250));
    expect(await c.listAgents()).toEqual([]);
    expect(await c.listPools()).toEqual(['gpu']);
    await c.pushCommand({ id: 'c1', sweepId: 's', type: 'pause', actor: null });
    expect((await c.takeCommands('s')).map((x) => x.id)).toEqual(['c1']);
    expect(await c.takeCommands('s')).toEqual([]);
    await c.completeCommand('c1', { ok: true });
    expect(await c.commandResult('c1')).toEqual({ ok: true });
  });
});
