import { randomUUID } from 'node:crypto';
import { deleteKeysUnder } from '@hyperfleet/transport/testing';
import { describe, expect, it } from 'vitest';
import { AgentWatch } from './agent-watch';
import type { AgentRecord } from './coordination';
import { MemoryCoordination } from './memory-coordination';
import { RedisCoordination } from './redis-coordination';
import { REDIS_URL } from './testing/fleet-fixture';

function agent(
  agentId: string,
  lastHeartbeat: number,
  running: { trialId: string; attempt: number }[] = [],
): AgentRecord {
  return {
    agentId,
    host: 'h',
    pool: 'default',
    slots: 1,
    running,
    gpus: [],
    draining: false,
    version: 'test',
    registeredAt: 0,
    lastHeartbeat,
  };
}

function setup(lostAfterMs = 10_000) {
  const clock = { t: 0, now: () => clock.t };
  const coordination = new MemoryCoordination(clock);
  const watch = new AgentWatch({ coordination, clock, lostAfterMs, maxGapMs: 2000, marker: 'w' });
  return { clock, coordination, watch };
}

describe('AgentWatch', () => {
  it('judges nobody until it has read the records for a whole window, then names a silent agent', async () => {
    const { clock, coordination, watch } = setup();
    await coordination.putAgent(agent('a', 0, [{ trialId: 't1', attempt: 1 }]), 60_000);
    await watch.refresh();
    expect(watch.runs('t1', 1)).toBeUndefined();
    for (clock.t = 1000; clock.t <= 10_000; clock.t += 1000) await watch.refresh();
    clock.t = 10_000;
    expect(watch.silentFor('a')).toBeNull(); // exactly the window: not yet
    expect(watch.runs('t1', 1)).toBe(true);
    clock.t = 10_500;
    await watch.refresh();
    expect(watch.silentFor('a')).toBe(10_500);
    expect(watch.runs('t1', 1)).toBe(false);
    expect(watch.runs('t2', 1)).toBe(false);
  });

  it('a heartbeat keeps an agent alive; an agent never heard of is silent since the watch began', async () => {
    const { clock, coordination, watch } = setup();
    for (clock.t = 0; clock.t <= 12_000; clock.t += 1000) {
      await coordination.putAgent(agent('a', clock.t), 60_000);
      await watch.refresh();
    }
    clock.t = 12_000;
    expect(watch.silentFor('a')).toBeNull();
    expect(watch.silentFor('ghost')).toBe(12_000);
  });

  it('records lost with the store (Redis restarted empty) do not make a live agent look dead', async () => {
    const { clock, coordination, watch } = setup();
    for (clock.t = 0; clock.t <= 11_000; clock.t += 1000) {
      // gone 1.5 s after its last heartbeat
      await coordination.putAgent(agent('a', clock.t, [{ trialId: 't1', attempt: 1 }]), 1500);
      await watch.refresh();
    }
    for (; clock.t <= 20_000; clock.t += 1000) await watch.refresh();
    expect(await coordination.listAgents()).toEqual([]);
    expect(watch.silentFor('a')).toBeNull(); // the watch remembers the heartbeat at 11 s…
    expect(watch.runs('t1', 1)).toBe(true); // …and what it was running then
    clock.t = 21_500;
    await watch.refresh();
    expect(watch.silentFor('a')).toBe(10_500);
  });

  it('a store that lost its data (Redis restarted empty, flushed) gives every agent a new window', async () => {
    const prefix = `hf-watch-${randomUUID().slice(0, 8)}`;
    const coordination = new RedisCoordination({ url: REDIS_URL, prefix });
    const clock = { t: 0, now: () => clock.t };
    const watch = new AgentWatch({ coordination, clock, lostAfterMs: 10_000, maxGapMs: 2000, marker: 'w' });
    try {
      for (clock.t = 0; clock.t <= 11_000; clock.t += 1000) await watch.refresh();
      clock.t = 11_000;
      expect(watch.runs('t1', 1)).toBe(false);
      await deleteKeysUnder(REDIS_URL, prefix);
      clock.t = 12_000;
      await watch.refresh();
      expect(watch.runs('t1', 1)).toBeUndefined(); // agents get a window to register again before anyone is judged
    } finally {
      await coordination.close();
      await deleteKeysUnder(REDIS_URL, prefix);
    }
  });

  it('a gap in reading (a store outage, a paused process) gives every agent a new window', async () => {
    const { clock, coordination, watch } = setup();
    await coordination.putAgent(agent('a', 0), 60_000);
    for (clock.t = 0; clock.t <= 11_000; clock.t += 1000) await watch.refresh();
    clock.t = 11_000;
    expect(watch.silentFor('a')).toBe(11_000);
    clock.t = 20_000; // nothing read for 9 s
    await watch.refresh();
    expect(watch.silentFor('a')).toBeNull();
    expect(watch.runs('t1', 1)).toBeUndefined();
  });
});
