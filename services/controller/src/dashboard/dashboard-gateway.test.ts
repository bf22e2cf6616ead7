import type { SweepSnapshot, TrialRowView, TrialSnapshot } from '@hyperfleet/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgent } from '../testing/fake-agent';
import { eventually, gridConfig, type Harness, startHarness, TOKENS } from '../testing/harness';
import { connectClient, connected, type DashboardClient, type Received, request } from './test-client';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function harness(opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(opts);
  open.push(h);
  return h;
}

/** A client with the read token; `null`: none. */
function client(h: Harness, token: string | null = TOKENS.read): { socket: DashboardClient; received: Received } {
  const c = connectClient(h.url, token ?? undefined);
  open.push({ close: () => c.socket.close() });
  return c;
}

async function submit(h: Harness, config: Record<string, unknown>): Promise<string> {
  const res = await h.call('POST', '/api/sweeps?force=true', { body: { config, cwd: '/work' } });
  expect(res.status).toBe(201);
  return res.body.sweep.id;
}

async function ended(h: Harness, id: string): Promise<void> {
  await eventually(
    async () => {
      const s = await h.store.getSweep(id);
      return s && s.status !== 'running' && s.status !== 'paused';
    },
    20_000,
    `sweep ${id} to end`,
  );
}

/** A trial logs loss = x / (step + 1) for `steps` steps, then holds. */
const curves =
  (steps: number, holdMs = 0) =>
  (job: { params: Record<string, unknown> }) => ({
    points: Array.from({ length: steps }, (_, step) => ({
      key: 'loss',
      step,
      value: Number(job.params.x) / (step + 1),
      timestamp: 1,
    })).concat([{ key: 'acc', step: 0, value: 0.5, timestamp: 1 }]),
    holdMs,
  });

const settle = () => new Promise((r) => setTimeout(r, 600));

describe('dashboard gateway: auth', () => {
  it('refuses a socket without a token and with an unknown one; any role reads', async () => {
    const h = await harness();
    const none = client(h, null);
    await expect(connected(none.socket)).rejects.toMatchObject({
      message: 'no token',
      data: { code: 'UNAUTHENTICATED' },
    });
    const bad = client(h, 'not-a-token');
    await expect(connected(bad.socket)).rejects.toMatchObject({ data: { code: 'BAD_TOKEN' } });
    for (const token of [TOKENS.read, TOKENS.worker, TOKENS.admin]) {
      const ok = client(h, token);
      await connected(ok.socket);
      await expect(request(ok.socket, 'sweeps:watch')).resolves.toEqual([]);
    }
  });

  it('embedded mode without tokens is open', async () => {
    const h = await harness({ auth: false });
    const c = client(h, null);
    await connected(c.socket);
    await expect(request(c.socket, 'sweeps:watch')).resolves.toEqual([]);
  });

  it('refuses a browser handshake from another origin', async () => {
    const h = await harness({ auth: false });
    const res = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'http://evil.test' } });
    expect(res.status).toBe(403);
    const same = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: h.url } });
    expect(same.status).toBe(200);
  });
});

describe('dashboard gateway: snapshots and deltas', () => {
  it('snapshot + deltas equal the store at the end of a real sweep', async () => {
    const h = await harness();
    fakeAgent(h.transport, { slots: 2, behave: curves(30, 150) });
    const { socket, received } = client(h);
    await connected(socket);
    expect(await request(socket, 'sweeps:watch')).toEqual([]);
    const id = await submit(h, gridConfig({ parameters: { x: { values: [1, 2, 3, 4] } } }));
    const snap: SweepSnapshot = await request(socket, 'sweep:join', { sweepId: id, maxPointsPerCurve: 5000 });
    expect(snap.sweep.id).toBe(id);
    expect(snap.paramNames).toEqual(['x']);
    expect(snap.sweep.total).toBe(4);
    expect(snap.rungs).toEqual([]);
    await ended(h, id);
    const trials = await h.store.listTrials(id, { rankBy: 'minimize' });
    // The client's view: the snapshot, then every delta in arrival order.
    const view = () => {
      const rows = new Map<string, TrialRowView>(snap.trials.map((t) => [t.id, t]));
      for (const t of received.trialUpdates) rows.set(t.id, t);
      return rows;
    };
    await eventually(() => trials.every((t) => view().get(t.id)?.status === t.status), 5000, 'the final rows');
    await settle();
    const rows = view();
    const points = new Map<string, number>();
    for (const c of snap.curves) {
      c.steps.forEach((s, i) => {
        points.set(`${c.trialId}|${c.key}|${s}`, c.values[i]!);
      });
    }
    for (const b of received.metrics) {
      expect(b.sweepId).toBe(id);
      b.points.step.forEach((s, i) => {
        points.set(`${b.points.trialId[i]}|${b.points.key[i]}|${s}`, b.points.value[i]!);
      });
    }

    expect(trials).toHaveLength(4);
    expect([...rows.keys()].sort()).toEqual(trials.map((t) => t.id).sort());
    const stored = new Map<string, number>();
    for (const t of trials) {
      const row = rows.get(t.id)!;
      const [summary] = (await h.store.getSummaries(t.id)).filter((s) => s.key === 'loss');
      const attempts = await h.store.listAttempts(t.id);
      expect(row).toMatchObject({
        status: t.status,
        metricValue: t.metricValue,
        reason: t.reason,
        endedAt: t.endedAt,
        params: { x: t.params.x },
        lastValue: summary?.last,
        lastStep: summary?.lastStep,
        agentId: attempts[attempts.length - 1]?.worker,
      });
      for (const p of await h.store.getMetricHistory(t.id, 'loss')) stored.set(`${t.id}|loss|${p.step}`, p.value);
    }
    // The sweep room carries the sweep metric only.
    expect(Object.fromEntries(points)).toEqual(Object.fromEntries(stored));

    const latest = () => received.sweepsUpdates.filter((s) => s.id === id).at(-1);
    await eventually(() => latest()?.counts.succeeded === 4, 5000, 'the final sweeps:update');
    const final = latest();
    expect(final).toMatchObject({
      id,
      status: 'finished',
      counts: { succeeded: 4 },
      best: { trialId: trials[0]!.id, value: 1 / 30 },
    });
    expect(received.sweepUpdates.at(-1)).toEqual(final);

    // Finished trials' curves come from the cache, warmed as they finished: the same as the store's.
    const warm = await request(socket, 'sweep:join', { sweepId: id, maxPointsPerCurve: 5000 });
    for (const c of warm.curves) {
      const stored = await h.store.getMetricHistory(c.trialId, 'loss');
      expect(c.steps).toEqual(stored.map((p) => p.step));
      expect(c.values).toEqual(stored.map((p) => p.value));
    }
    expect(warm.curves).toHaveLength(4);
    // A fresh join: ranked best first, curves downsampled with the first and last step kept.
    const again = await request(socket, 'sweep:join', { sweepId: id, maxPointsPerCurve: 10 });
    expect(again.trials.map((t) => t.id)).toEqual(trials.map((t) => t.id));
    for (const c of again.curves) {
      expect(c.steps).toHaveLength(10);
      expect(c.steps[0]).toBe(0);
      expect(c.steps.at(-1)).toBe(29);
    }
    expect((await request(socket, 'sweeps:watch')).map((s) => s.id)).toEqual([id]);
  }, 30_000);

  it('no events leak across sweeps', async () => {
    const h = await harness();
    fakeAgent(h.transport, { slots: 4, behave: curves(20, 100) });
    const { socket, received } = client(h);
    await connected(socket);
    const a = await submit(h, gridConfig({ parameters: { x: { values: [1, 2, 3] } } }));
    await request(socket, 'sweep:join', { sweepId: a });
    const b = await submit(h, gridConfig({ parameters: { x: { values: [4, 5, 6] } } }));
    await Promise.all([ended(h, a), ended(h, b)]);
    await settle();
    const aTrials = new Set((await h.store.listTrials(a)).map((t) => t.id));
    expect(received.metrics.length).toBeGreaterThan(0);
    for (const batch of received.metrics) {
      expect(batch.sweepId).toBe(a);
      for (const t of batch.points.trialId) expect(aTrials.has(t)).toBe(true);
    }
    expect(received.trialUpdates.length).toBeGreaterThan(0);
    for (const t of received.trialUpdates) expect(t.sweepId).toBe(a);
    for (const s of received.sweepUpdates) expect(s.id).toBe(a);
    expect(received.sweepsUpdates).toEqual([]); // not watching the list
    expect(received.logs).toEqual([]);
  }, 30_000);

  it('a trial room: snapshot with every metric, live log tail, and the stop reason', async () => {
    const h = await harness();
    fakeAgent(h.transport, { slots: 1, behave: curves(5, 20_000) });
    const { socket, received } = client(h);
    await connected(socket);
    const id = await submit(h, gridConfig({ parallel: 1, parameters: { x: { values: [2, 3] } } }));
    const trialId = `${id}-0`;
    await eventually(async () => (await h.store.getSummaries(trialId)).length === 2, 5000, 'points stored');
    await h.transport.logs.append(trialId, 'epoch 1\n');
    const snap: TrialSnapshot = await request(socket, 'trial:join', { trialId });
    expect(snap.trial).toMatchObject({ id: trialId, status: 'running', agentId: 'agent-1', params: { x: 2 } });
    expect(snap.curves.map((c) => c.key).sort()).toEqual(['acc', 'loss']);
    expect(snap.curves.find((c) => c.key === 'loss')?.steps).toEqual([0, 1, 2, 3, 4]);
    expect(snap.logTail).toBe('epoch 1\n');
    expect(snap.reproduceCommand).toBe(`hyperfleet reproduce ${trialId}`);
    expect(snap.lineage).toBeNull();

    await h.transport.logs.append(trialId, 'epoch 2\n');
    await eventually(() => received.logs.length > 0, 3000, 'a log delta');
    expect(received.logs).toEqual([{ trialId, text: 'epoch 2\n' }]);

    const cancel = await h.call('POST', `/api/sweeps/${id}/cancel`);
    expect(cancel.status).toBe(200);
    const cancelled = await eventually(
      () => received.trialUpdates.find((t) => t.id === trialId && t.status === 'cancelled'),
      5000,
      'the cancelled trial',
    );
    expect(cancelled?.reason).toBe((await h.store.getTrial(trialId))?.reason);
    expect(cancelled?.reason).toContain('cancelled');

    const missing = request(socket, 'trial:join', { trialId: 'nope-1' });
    await expect(missing).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(request(socket, 'sweep:join', { sweepId: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  }, 30_000);

  it('early stopping: the stopped trial carries the rule and its reason; rungs come from the rule', async () => {
    const h = await harness();
    fakeAgent(h.transport, { slots: 1, behave: curves(4, 2000) });
    const { socket, received } = client(h);
    await connected(socket);
    const id = await submit(
      h,
      gridConfig({
        parallel: 1,
        parameters: { x: { values: [1, 2, 3] } },
        early_terminate: { type: 'asha', grace_period: 1, reduction_factor: 2, max_t: 8 },
      }),
    );
    await request(socket, 'sweep:join', { sweepId: id });
    await ended(h, id);
    await settle();
    const trials = await h.store.listTrials(id);
    const stoppedEarly = trials.filter((t) => t.status === 'stopped');
    expect(stoppedEarly.length).toBeGreaterThan(0);
    for (const t of stoppedEarly) {
      const row = received.trialUpdates.filter((r) => r.id === t.id).at(-1);
      expect(row).toMatchObject({ status: 'stopped', reason: t.reason });
      expect(row?.reason).toMatch(/^asha: rung 1/);
    }
    // Live, without joining again: the page that joined before any trial ran was sent the rungs as trials
    // reached them and were stopped there.
    await eventually(
      () => received.rungs.at(-1)?.rungs[0]?.stopped === stoppedEarly.length,
      5000,
      'the stops in a sweep:rungs update',
    );
    expect(received.rungs.every((r) => r.sweepId === id)).toBe(true);
    const snap = await request(socket, 'sweep:join', { sweepId: id });
    expect(snap.rungs[0]).toMatchObject({
      iteration: 1,
      step: 0, // the trials log steps 0, 1, 2, …: their first report is at step 0
      stopped: stoppedEarly.length,
      survivors: 3 - stoppedEarly.length,
    });
    expect(snap.rungs[0]?.threshold).toEqual(expect.any(Number));
    expect(snap.rungs.map((r) => [r.iteration, r.step])).toEqual([
      [1, 0],
      [2, 1],
      [4, 3],
    ]);
    // And they end where a fresh join reads them.
    const final = JSON.stringify(snap.rungs);
    await eventually(() => JSON.stringify(received.rungs.at(-1)?.rungs) === final, 5000, 'live rungs = joined rungs');
  }, 30_000);

  it('pause and resume reach the sweep room and the sweeps list (no hook reports them)', async () => {
    const h = await harness();
    fakeAgent(h.transport, { slots: 1, behave: curves(2, 20_000) });
    const { socket, received } = client(h);
    await connected(socket);
    await request(socket, 'sweeps:watch');
    const id = await submit(h, gridConfig({ parallel: 1 }));
    await request(socket, 'sweep:join', { sweepId: id });
    expect((await h.call('POST', `/api/sweeps/${id}/pause`)).body.sweep.status).toBe('paused');
    await eventually(() => received.sweepUpdates.some((s) => s.status === 'paused'), 5000, 'sweep:update paused');
    await eventually(
      () => received.sweepsUpdates.some((s) => s.id === id && s.status === 'paused'),
      5000,
      'sweeps:update',
    );
    await h.call('POST', `/api/sweeps/${id}/resume`);
    await eventually(() => received.sweepUpdates.at(-1)?.status === 'running', 5000, 'sweep:update running');
    await h.call('POST', `/api/sweeps/${id}/cancel`);
  }, 30_000);

  it('close() with sockets connected is prompt, and idempotent', async () => {
    const h = await harness();
    const { socket } = client(h);
    await connected(socket);
    await request(socket, 'sweeps:watch');
    const started = Date.now();
    await Promise.all([h.close(), h.close()]);
    expect(Date.now() - started).toBeLessThan(3000);
    await eventually(() => socket.disconnected, 2000, 'the client to see the disconnect');
  });
});

describe('dashboard static files', () => {
  it('serves the UI routes, keeps /api JSON, says how to build when there is no build', async () => {
    const h = await harness();
    const api = await fetch(`${h.url}/api/nope`, { headers: { authorization: `Bearer ${TOKENS.read}` } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const page = await fetch(`${h.url}/sweeps/abc`, { headers: { accept: 'text/html' } });
    if (page.status === 503) expect(await page.text()).toContain('npm run build -w @hyperfleet/dashboard');
    else {
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
    }
  });
});
