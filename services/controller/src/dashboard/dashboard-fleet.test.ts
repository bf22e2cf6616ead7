import type { TrialRowView } from '@hyperfleet/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { type Controller, createController } from '../create-controller';
import { RedisCoordination } from '../redis-coordination';
import { fakeAgent } from '../testing/fake-agent';
import { fleetFixture, REDIS_URL } from '../testing/fleet-fixture';
import { eventually, gridConfig, TOKENS } from '../testing/harness';
import { TokenRegistry } from '../token-auth';
import { connectClient, connected, request } from './test-client';

let fx: ReturnType<typeof fleetFixture>;
const sockets: Array<{ close(): unknown }> = [];
const replicas: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (sockets.length > 0) sockets.pop()?.close();
  // Replicas first: the fixture's cleanup then closes the stores and transports they used.
  while (replicas.length > 0) await replicas.pop()?.();
  await fx.cleanup();
});

const tokens = () =>
  new TokenRegistry(Object.entries(TOKENS).map(([role, token]) => ({ role: role as 'admin', token })));

/** A controller replica on the real Redis and Postgres with the dashboard's Redis adapter. */
async function replica(): Promise<{ ctl: Controller; url: string }> {
  const coordination = new RedisCoordination({ url: REDIS_URL, prefix: fx.prefix });
  const ctl = createController({
    store: await fx.store(),
    transport: fx.transport(),
    coordination,
    tokens: tokens(),
    agents: { redisUrl: REDIS_URL, queuePrefix: fx.prefix, heartbeatMs: 1000 },
    runtime: { lockTtlMs: 600, tickMs: 100, reconcileMs: 150 },
    dashboard: { redis: { url: REDIS_URL, prefix: fx.prefix }, statusPollMs: 200 },
    closeTimeoutMs: 3000,
  });
  const { url } = await ctl.listen(0, '127.0.0.1');
  const close = async () => {
    await ctl.close();
    await coordination.close();
  };
  replicas.push(close);
  return { ctl, url };
}

describe('dashboard across controller replicas (Redis adapter)', () => {
  it('a client on replica B gets the deltas of a sweep replica A leads', async () => {
    fx = fleetFixture();
    const a = await replica();
    const b = await replica();
    fakeAgent(fx.transport(), {
      slots: 2,
      behave: (job) => ({
        points: Array.from({ length: 10 }, (_, step) => ({
          key: 'loss',
          step,
          value: Number(job.params.x) + step,
          timestamp: 1,
        })),
        holdMs: 300,
      }),
    });
    const c = connectClient(b.url, TOKENS.read);
    sockets.push({ close: () => c.socket.close() });
    await connected(c.socket);
    await request(c.socket, 'sweeps:watch');
    const res = await fetch(`${a.url}/api/sweeps?force=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ config: gridConfig({ parameters: { x: { values: [1, 2, 3, 4] } } }), cwd: '/work' }),
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { sweep: { id: string } }).sweep.id;
    const snap = await request(c.socket, 'sweep:join', { sweepId: id, maxPointsPerCurve: 1000 });
    expect(a.ctl.runtime.leading()).toEqual([id]);
    expect(b.ctl.runtime.leading()).toEqual([]);

    const store = await fx.store();
    await eventually(async () => (await store.getSweep(id))?.status === 'finished', 20_000, 'the sweep to finish');
    const trials = await store.listTrials(id);
    expect(trials).toHaveLength(4);
    const view = () => {
      const rows = new Map<string, TrialRowView>(snap.trials.map((t) => [t.id, t]));
      for (const t of c.received.trialUpdates) rows.set(t.id, t);
      return rows;
    };
    await eventually(() => trials.every((t) => view().get(t.id)?.status === 'succeeded'), 5000, 'every trial done');
    for (const t of trials) expect(view().get(t.id)).toMatchObject({ status: 'succeeded', metricValue: t.metricValue });
    // Points reached B's client through the adapter: every stored point is in the snapshot or a delta.
    const seen = new Set<string>();
    for (const cv of snap.curves) for (const s of cv.steps) seen.add(`${cv.trialId}|${s}`);
    for (const m of c.received.metrics) {
      m.points.step.forEach((s, i) => {
        seen.add(`${m.points.trialId[i]}|${s}`);
      });
    }
    expect(c.received.metrics.length).toBeGreaterThan(0);
    expect(seen.size).toBe(40);
    const last = () => c.received.sweepsUpdates.filter((s) => s.id === id).at(-1);
    await eventually(() => last()?.counts.succeeded === 4, 5000, 'the final sweeps:update');
    expect(last()).toMatchObject({ status: 'finished', counts: { succeeded: 4 } });
  }, 40_000);

  it('a trial room on replica B gets the points and the log of a trial replica A runs', async () => {
    fx = fleetFixture();
    const a = await replica();
    const b = await replica();
    const agentSide = fx.transport();
    fakeAgent(agentSide, {
      slots: 1,
      behave: () => ({ points: [{ key: 'loss', step: 0, value: 1, timestamp: 1 }], holdMs: 20_000 }),
    });
    const res = await fetch(`${a.url}/api/sweeps?force=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ config: gridConfig({ parallel: 1 }), cwd: '/work' }),
    });
    const id = ((await res.json()) as { sweep: { id: string } }).sweep.id;
    const trialId = `${id}-0`;
    const store = await fx.store();
    await eventually(async () => (await store.getSummaries(trialId)).length > 0, 10_000, 'the first point');
    expect(a.ctl.runtime.leading()).toEqual([id]);

    const c = connectClient(b.url, TOKENS.read);
    sockets.push({ close: () => c.socket.close() });
    await connected(c.socket);
    const snap = await request(c.socket, 'trial:join', { trialId });
    expect(snap.trial.status).toBe('running');
    await new Promise((r) => setTimeout(r, 300)); // B's interest reaches A through Redis
    // The agent reports more points and output, as the worker would.
    await agentSide.reports.publish(id, [
      { type: 'metrics', trialId, attempt: 1, points: [{ key: 'acc', step: 1, value: 0.5, timestamp: 2 }] },
    ]);
    await agentSide.logs.append(trialId, 'epoch 1 done\n');
    await eventually(() => c.received.metrics.some((m) => m.points.key.includes('acc')), 5000, 'the acc point on B');
    await eventually(() => c.received.logs.some((l) => l.text.includes('epoch 1 done')), 5000, 'the log line on B');
    await fetch(`${b.url}/api/sweeps/${id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.admin}` },
    });
  }, 40_000);
});
