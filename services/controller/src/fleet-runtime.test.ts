import type { SqlTrackingStore, SweepRecord } from '@hyperfleet/store';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgent } from './testing/fake-agent';
import { fleetFixture } from './testing/fleet-fixture';
import { eventually, gridConfig, type Harness } from './testing/harness';

let fx: ReturnType<typeof fleetFixture>;
afterEach(async () => {
  await fx.cleanup();
});

async function submit(h: Harness, config: Record<string, unknown>): Promise<string> {
  const res = await h.call('POST', '/api/sweeps?force=true', { body: { config, cwd: '/work' } });
  expect(res.status).toBe(201);
  return res.body.sweep.id;
}

async function finished(store: SqlTrackingStore, id: string, ms = 20_000): Promise<SweepRecord> {
  const ended = async () => {
    const s = await store.getSweep(id);
    return s && s.status !== 'running' && s.status !== 'paused' ? s : null;
  };
  return (await eventually(ended, ms, `sweep ${id} to end`)) as SweepRecord;
}

const holdFor = (ms: number) => (job: { params: Record<string, unknown> }) => ({
  points: [{ key: 'loss', step: 0, value: Number(job.params.x), timestamp: 1 }],
  holdMs: ms,
});

describe('fleet runtime on the real Redis and Postgres', () => {
  it('controller restarted mid-sweep: the next one continues it; no trial duplicated, none lost', async () => {
    fx = fleetFixture();
    const a = await fx.replica();
    const agent = fakeAgent(fx.transport(), { slots: 2, behave: holdFor(200) });
    const id = await submit(a, gridConfig({ parameters: { x: { values: [1, 2, 3, 4, 5, 6] } } }));
    await eventually(async () => (await a.store.countTrials(id)).succeeded >= 1, 10_000, 'a trial done');
    await a.close();
    const b = await fx.replica();
    await eventually(() => b.ctl.runtime.leading().includes(id), 5000, 'b recovers the sweep');
    const sweep = await finished(b.store, id);
    expect(sweep.status).toBe('finished');
    const trials = await b.store.listTrials(id);
    expect(trials).toHaveLength(6);
    expect(trials.every((t) => t.status === 'succeeded' && t.attempts === 1)).toBe(true);
    expect(agent.ran.map((j) => j.trialId).sort()).toEqual(trials.map((t) => t.id).sort());
  }, 40_000);

  it('two replicas: exactly one schedules the sweep; the other takes over when its lock expires', async () => {
    fx = fleetFixture();
    const a = await fx.replica();
    const b = await fx.replica();
    const id = await submit(a, gridConfig({ parameters: { x: { values: [1, 2, 3, 4] } }, parallel: 1 }));
    await new Promise((r) => setTimeout(r, 500));
    expect(a.ctl.runtime.leading()).toEqual([id]);
    expect(b.ctl.runtime.leading()).toEqual([]);
    const paused = await b.call('POST', `/api/sweeps/${id}/pause`); // forwarded to a through Redis
    expect(paused.body.sweep.status).toBe('paused');
    await b.call('POST', `/api/sweeps/${id}/resume`);
    // Trials outlast the lock TTL, so the sweep cannot simply finish on `a` before its lock runs out.
    const agent = fakeAgent(fx.transport(), { slots: 1, behave: holdFor(1500) });
    await eventually(async () => (await a.store.countTrials(id)).succeeded >= 1, 20_000, 'a trial done');
    // a loses Redis without releasing anything (a partition, a frozen process): its lock just expires.
    await a.coordination.close();
    // Generous bounds: on a loaded 2-core machine timers fire late; the lock TTL itself is short.
    await eventually(() => b.ctl.runtime.leading().includes(id), 20_000, 'b takes over');
    await eventually(() => a.ctl.runtime.leading().length === 0, 20_000, 'a lets go');
    expect((await finished(b.store, id)).status).toBe('finished');
    const trials = await b.store.listTrials(id);
    expect(trials.map((t) => [t.status, t.attempts])).toEqual(Array(4).fill(['succeeded', 1]));
    expect(agent.ran).toHaveLength(4);
  }, 90_000);

  it('Redis wiped mid-sweep: the queue is rebuilt from Postgres and the sweep completes', async () => {
    fx = fleetFixture();
    const a = await fx.replica();
    const id = await submit(a, gridConfig({ parameters: { x: { values: [1, 2, 3] } }, parallel: 3 }));
    await eventually(async () => (await a.transport.queue.depth('default')).waiting === 3, 5000, 'three jobs waiting');
    await fx.wipeRedis();
    expect((await a.transport.queue.depth('default')).waiting).toBe(0);
    const agent = fakeAgent(fx.transport(), { slots: 3 });
    expect((await finished(a.store, id)).status).toBe('finished');
    expect(agent.ran.map((j) => j.trialId).sort()).toEqual([`${id}-0`, `${id}-1`, `${id}-2`]);
  }, 40_000);
});
