import { afterEach, expect, it } from 'vitest';
import type { Coordination } from './coordination';
import { fakeAgent } from './testing/fake-agent';
import { fleetFixture } from './testing/fleet-fixture';
import { eventually, gridConfig } from './testing/harness';

// The fair-share gate on the real Redis and Postgres: jobs reach the queue only into free slots of live agents,
// also after a controller restart (the recovered trials it never enqueued wait for slots again, none is run
// twice), and nothing is enqueued for a pool no live agent serves.
let fx: ReturnType<typeof fleetFixture>;
let beating: NodeJS.Timeout | undefined;
afterEach(async () => {
  clearInterval(beating);
  await fx.cleanup();
});

const fairShare = { fairShare: { quotas: new Map(), passMs: 50 }, lostAfterMs: 1000 };

/** An agent record as registration and heartbeats keep it (the gate counts its slots while it is fresh). */
function heartbeat(coordination: Coordination, slots: number): void {
  const beat = () =>
    void coordination
      .putAgent(
        {
          agentId: 'agent-1',
          host: 'box',
          pool: 'default',
          slots,
          running: [],
          gpus: [],
          draining: false,
          version: 'test',
          registeredAt: Date.now(),
          lastHeartbeat: Date.now(),
        },
        60_000,
      )
      .catch(() => undefined);
  beat();
  beating = setInterval(beat, 100);
}

it('enqueues no more jobs than the live agents have slots, before and after a controller restart; each trial runs once', async () => {
  fx = fleetFixture();
  const a = await fx.replica(fairShare);
  const config = gridConfig({ parameters: { x: { values: [1, 2, 3, 4, 5, 6, 7, 8] } }, parallel: 8 });
  const res = await a.call('POST', '/api/sweeps?force=true', { body: { config, cwd: '/work' } });
  expect(res.status).toBe(201);
  const id: string = res.body.sweep.id;
  // No agent yet: all 8 trials are saved (queued) and none is in the queue.
  await eventually(async () => (await a.store.listTrials(id)).length === 8, 5000, 'the trials saved');
  await new Promise((r) => setTimeout(r, 300));
  expect(await a.transport.queue.depth('default')).toEqual({ waiting: 0, active: 0 });
  // …but an autoscaler on the queue depth still sees them, as held (a pool scaled to zero must start a worker).
  const prom = await a.call('GET', '/metrics', { token: null });
  expect(prom.body).toContain('hyperfleet_queue_depth{pool="default",state="held"} 8');

  heartbeat(a.coordination, 2);
  const agent = fakeAgent(fx.transport(), { slots: 2, behave: () => ({ holdMs: 150 }) });
  let most = 0;
  const sample = async () => {
    const d = await a.transport.queue.depth('default').catch(() => ({ waiting: 0, active: 0 }));
    most = Math.max(most, d.waiting + d.active);
  };
  const sampling = setInterval(() => void sample(), 20);
  try {
    await eventually(async () => (await a.store.countTrials(id)).succeeded >= 2, 15_000, 'two trials done');
    await a.close();
    const b = await fx.replica(fairShare);
    const ended = async () => {
      const s = await b.store.getSweep(id);
      return s && s.status !== 'running' ? s : null;
    };
    expect((await eventually(ended, 30_000, 'the sweep to end'))?.status).toBe('finished');
    const trials = await b.store.listTrials(id);
    expect(trials.map((t) => [t.status, t.attempts])).toEqual(Array(8).fill(['succeeded', 1]));
    expect(agent.ran.map((j) => j.trialId).sort()).toEqual(trials.map((t) => t.id).sort());
  } finally {
    clearInterval(sampling);
  }
  expect(most).toBeLessThanOrEqual(2);
  expect(most).toBe(2);
}, 60_000);
