import { type RouteSpec, routeName, routes, SWEEP_ACTIONS } from '@hyperfleet/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, gridConfig, type Harness, startHarness, TOKENS } from './testing/harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const register = (pool = 'default', agentId = 'agent-1') =>
  h.call('POST', '/api/agents/register', {
    token: TOKENS.worker,
    body: { agentId, host: 'box', pool, slots: 2, gpus: [], version: '0.1.0' },
  });

describe('auth', () => {
  it('401 without or with an unknown token, 403 for the wrong role, health routes open', async () => {
    h = await startHarness();
    const none = await h.call('GET', '/api/sweeps', { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHENTICATED');
    const bad = await h.call('GET', '/api/sweeps', { token: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('BAD_TOKEN');
    expect(JSON.stringify(bad.body)).not.toContain('nope');
    const readSubmit = await h.call('POST', '/api/sweeps', { token: TOKENS.read, body: {} });
    expect(readSubmit.status).toBe(403);
    expect(readSubmit.body.error.code).toBe('FORBIDDEN');
    expect((await h.call('POST', '/api/sweeps', { token: TOKENS.worker, body: {} })).status).toBe(403);
    expect((await h.call('POST', '/api/agents/register', { token: TOKENS.submit, body: {} })).status).toBe(403);
    for (const token of Object.values(TOKENS)) expect((await h.call('GET', '/api/sweeps', { token })).status).toBe(200);
    expect((await h.call('GET', '/healthz', { token: null })).body).toEqual({ ok: true });
    expect((await h.call('GET', '/readyz', { token: null })).body).toEqual({ ok: true });
  });

  it('runs without tokens in embedded mode', async () => {
    h = await startHarness({ auth: false });
    expect((await h.call('GET', '/api/sweeps', { token: null })).status).toBe(200);
  });
});

describe('validation and limits', () => {
  it('422 with the config issues, 422 for a bad body, 400 for bad JSON, 413 over the limit, 404 JSON', async () => {
    h = await startHarness({ limits: { maxBodyBytes: 2048 } });
    await register();
    const badConfig = await h.call('POST', '/api/sweeps', { body: { config: { method: 'gird' }, cwd: '/tmp' } });
    expect(badConfig.status).toBe(422);
    expect(badConfig.body.error.code).toBe('CONFIG_INVALID');
    expect(badConfig.body.error.issues.length).toBeGreaterThan(0);
    expect(badConfig.body.error.issues[0]).toHaveProperty('path');

    const badBody = await h.call('POST', '/api/sweeps', { body: { config: gridConfig(), cwd: '', extra: 1 } });
    expect(badBody.status).toBe(422);
    expect(badBody.body.error.code).toBe('INVALID_BODY');
    expect(badBody.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['', 'cwd']);

    expect((await h.call('POST', '/api/sweeps', { body: '{"config":' })).body.error.code).toBe('BAD_JSON');

    const big = await h.call('POST', '/api/sweeps', {
      body: { config: gridConfig({ description: 'x'.repeat(5000) }), cwd: '/' },
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');

    const nope = await h.call('GET', '/api/nothing');
    expect(nope.status).toBe(404);
    expect(nope.body.error.code).toBe('NOT_FOUND');
    expect((await h.call('GET', '/api/sweeps/zzz')).status).toBe(404);
    expect((await h.call('GET', '/api/trials/zzz')).status).toBe(404);
  });

  it('refuses an unknown pool unless forced, and a random sweep without run_cap', async () => {
    h = await startHarness();
    const unknown = await h.call('POST', '/api/sweeps', { body: { config: gridConfig(), cwd: '/tmp', pool: 'gpu' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('UNKNOWN_POOL');
    await register('cpu');
    const again = await h.call('POST', '/api/sweeps', { body: { config: gridConfig(), cwd: '/tmp', pool: 'gpu' } });
    expect(again.body.error.hint).toContain('cpu');
    const forced = await h.call('POST', '/api/sweeps?force=true', {
      body: { config: gridConfig(), cwd: '/tmp', pool: 'gpu' },
    });
    expect(forced.status).toBe(201);
    const random = {
      method: 'random',
      program: 'train.mjs',
      parameters: { lr: { distribution: 'uniform', min: 0, max: 1 } },
    };
    const noCap = await h.call('POST', '/api/sweeps?force=true', { body: { config: random, cwd: '/tmp' } });
    expect(noCap.status).toBe(422);
    expect(noCap.body.error.code).toBe('RUN_CAP_REQUIRED');
  });
});

describe('routes', () => {
  it('agents register, heartbeat and list; an unknown agent must re-register', async () => {
    h = await startHarness();
    const reg = await register('cpu', 'a1');
    expect(reg.status).toBe(200);
    expect(reg.body).toEqual({
      agentId: 'a1',
      redisUrl: null,
      reportKey: null,
      podRedisUrl: null,
      heartbeatMs: 1000,
      queuePrefix: 'test',
    });
    const hb = await h.call('POST', '/api/agents/a1/heartbeat', {
      token: TOKENS.worker,
      body: {
        running: [{ trialId: 't-0', attempt: 1 }],
        gpus: [{ index: 0, name: 'H100', memoryTotalMiB: 80000, memoryUsedMiB: 100, utilizationPct: 3 }],
        draining: false,
      },
    });
    expect(hb.body).toEqual({ ok: true });
    const list = await h.call('GET', '/api/agents', { token: TOKENS.read });
    expect(list.body.agents).toHaveLength(1);
    expect(list.body.agents[0]).toMatchObject({
      agentId: 'a1',
      pool: 'cpu',
      status: 'alive',
      running: [{ trialId: 't-0' }],
    });
    const ghost = await h.call('POST', '/api/agents/ghost/heartbeat', {
      token: TOKENS.worker,
      body: { running: [], gpus: [], draining: false },
    });
    expect(ghost.status).toBe(404);
    expect(ghost.body.error.code).toBe('AGENT_UNKNOWN');
  });

  it('stops one trial: it ends `stopped` with who stopped it; the rest of the sweep goes on', async () => {
    h = await startHarness();
    await register();
    const sub = await h.call('POST', '/api/sweeps', {
      token: TOKENS.submit,
      body: { config: gridConfig(), cwd: '/w' },
    });
    const id: string = sub.body.sweep.id;
    await eventually(async () => (await h.transport.queue.depth('default')).waiting === 2, 2000, 'two jobs waiting');
    expect((await h.call('POST', `/api/trials/${id}-0/stop`, { token: TOKENS.read })).status).toBe(403);
    const stopped = await h.call('POST', `/api/trials/${id}-0/stop`, { token: TOKENS.submit });
    expect(stopped.status).toBe(200);
    const trial = await eventually(async () => {
      const t = await h.store.getTrial(`${id}-0`);
      return t?.status === 'stopped' ? t : null;
    });
    expect(trial?.reason).toMatch(/^stopped by /);
    expect((await h.store.getTrial(`${id}-1`))?.status).toBe('queued');
    expect((await h.store.getSweep(id))?.status).toBe('running');
    const again = await h.call('POST', `/api/trials/${id}-0/stop`, { token: TOKENS.submit });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TRIAL_ENDED');
    expect((await h.call('POST', '/api/trials/nope/stop')).status).toBe(404);
  });

  it('submit → list, show (by prefix), trial, metrics with NaN kept, logs, control, /metrics', async () => {
    h = await startHarness();
    await register();
    const sub = await h.call('POST', '/api/sweeps', {
      token: TOKENS.submit,
      body: { config: gridConfig(), cwd: '/work' },
    });
    expect(sub.status).toBe(201);
    const id: string = sub.body.sweep.id;
    expect(sub.body.dashboardUrl).toBe(`${h.url}/sweeps/${id}`);
    await eventually(async () => (await h.transport.queue.depth('default')).waiting === 2, 2000, 'two jobs waiting');

    const list = await h.call('GET', '/api/sweeps?limit=5', { token: TOKENS.read });
    expect(list.body.sweeps[0]).toMatchObject({ id, counts: { queued: 2 }, best: null });
    const show = await h.call('GET', `/api/sweeps/${id.slice(0, 5)}`, { token: TOKENS.read });
    expect(show.body.sweep.id).toBe(id);
    expect(show.body.trials).toHaveLength(2);

    const trialId = `${id}-0`;
    await h.store.writeMetrics([
      { trialId, key: 'loss', step: 0, value: Number.NaN, timestamp: 1 },
      { trialId, key: 'loss', step: 1, value: 0.5, timestamp: 2 },
    ]);
    const metrics = await h.call('GET', `/api/trials/${trialId}/metrics?key=loss`, { token: TOKENS.read });
    expect(metrics.body.points.map((p: { value: unknown }) => p.value)).toEqual(['NaN', 0.5]);
    const all = await h.call('GET', `/api/trials/${trialId}/metrics`, { token: TOKENS.read });
    expect(all.body.points).toHaveLength(2);
    const trial = await h.call('GET', `/api/trials/${trialId}`, { token: TOKENS.read });
    expect(trial.body).toMatchObject({ trial: { id: trialId, status: 'queued' }, attempts: [] });

    await h.transport.logs.append(trialId, 'hello\n');
    const logs = await h.call('GET', `/api/trials/${trialId}/logs?cursor=0`, { token: TOKENS.read });
    expect(logs.body.chunks).toEqual(['hello\n']);

    const paused = await h.call('POST', `/api/sweeps/${id}/pause`, { token: TOKENS.submit });
    expect(paused.body.sweep.status).toBe('paused');
    expect((await h.call('POST', `/api/sweeps/${id}/resume`)).body.sweep.status).toBe('running');
    const cancelled = await h.call('POST', `/api/sweeps/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    await eventually(async () => (await h.store.getSweep(id))?.status === 'cancelled', 2000, 'sweep cancelled');
    expect((await h.store.countTrials(id)).cancelled).toBe(2);
    const late = await h.call('POST', `/api/sweeps/${id}/pause`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('SWEEP_ENDED');

    const prom = await h.call('GET', '/metrics', { token: null });
    expect(prom.body).toContain('hyperfleet_queue_depth{pool="default",state="waiting"} 0');
    expect(prom.body).toContain('hyperfleet_agents{status="alive"} 1');
    expect(prom.body).toContain('hyperfleet_metric_points_ingested_total 0');
  });
});

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}
/** `METHOD /path` of every route the express app (and the routers it mounts) serves. */
function servedRoutes(stack: RouterLayer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const route = layer.route;
      return Object.keys(route.methods).map((m) => `${m.toUpperCase()} ${route.path}`);
    }
    return layer.handle?.stack ? servedRoutes(layer.handle.stack) : [];
  });
}

describe('routes', () => {
  it('every /api route the app serves is in the contract (test/security/fuzz.test.ts fuzzes the contract’s)', async () => {
    h = await startHarness();
    const served = servedRoutes((h.ctl.app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
    const contract = Object.values(routes).flatMap((area) => Object.values(area).map((r: RouteSpec) => routeName(r)));
    // The sweep controls are served one route per action.
    contract.push(...SWEEP_ACTIONS.map((a) => routeName(routes.sweeps.control).replace(':action', a)));
    expect(served.filter((r) => r.includes(' /api'))).not.toEqual([]);
    expect(served.filter((r) => r.includes(' /api') && !contract.includes(r))).toEqual([]);
  });
});
