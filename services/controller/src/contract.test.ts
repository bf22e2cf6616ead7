import {
  errorBody,
  parseResponse,
  type RouteSpec,
  routes,
  UnexpectedResponseError,
  wireReplacer,
} from '@hyperfleet/contract';
import { sha256Address } from '@hyperfleet/lineage';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgent } from './testing/fake-agent';
import { eventually, gridConfig, type Harness, SAMPLE_PINS, startHarness, TOKENS } from './testing/harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/**
 * Parses a real answer with the route's schema and checks nothing was lost on the way: written back as the
 * controller writes it, the parsed body is the body that came over the wire.
 */
function parsesLossless<R extends RouteSpec>(route: R, body: unknown) {
  const parsed = parseResponse(route, body);
  expect(JSON.parse(JSON.stringify(parsed, wireReplacer))).toEqual(body);
  return parsed;
}

async function ok(method: string, path: string, opts: { token?: string; body?: unknown } = {}, status = 200) {
  const res = await h.call(method, path, opts);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

describe('the contract against the real controller', () => {
  it('every route answers what its response schema describes, NaN and ±Infinity included', async () => {
    h = await startHarness();
    // x = 3 reports NaN, then +Infinity and -Infinity under other keys: the wire names them.
    fakeAgent(h.transport, {
      behave: (job) => {
        const x = Number(job.params.x);
        const points = [
          { key: 'loss', step: 0, value: x + 1, timestamp: 1 },
          { key: 'loss', step: 1, value: x === 3 ? Number.NaN : x, timestamp: 2 },
        ];
        if (x === 3) {
          points.push({ key: 'grad', step: 0, value: Number.POSITIVE_INFINITY, timestamp: 3 });
          points.push({ key: 'lr', step: 0, value: Number.NEGATIVE_INFINITY, timestamp: 3 });
        }
        return { points };
      },
    });

    const worker = { token: TOKENS.worker };
    const register = { agentId: 'box-1', host: 'box', pool: 'default', slots: 2, gpus: [], version: '0.1.0' };
    parsesLossless(routes.agents.register, await ok('POST', '/api/agents/register', { ...worker, body: register }));
    const gpu = { index: 0, name: 'H100', memoryTotalMiB: 81559, memoryUsedMiB: null, utilizationPct: 3 };
    const beat = {
      running: [{ trialId: 't-0', attempt: 1, slot: 0, gpu: 0 }],
      gpus: [gpu],
      draining: false,
      status: 'paused',
      reason: 'breaker',
    };
    parsesLossless(routes.agents.heartbeat, await ok('POST', '/api/agents/box-1/heartbeat', { ...worker, body: beat }));
    const { agents } = parsesLossless(routes.agents.list, await ok('GET', '/api/agents'));
    expect(agents[0]).toMatchObject({ agentId: 'box-1', agentStatus: 'paused', reason: 'breaker', gpus: [gpu] });

    const diff = Buffer.from('diff --git a/x b/x\n');
    const hash = sha256Address(diff);
    const put = await fetch(`${h.url}/api/blobs/${hash}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKENS.submit}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(diff),
    });
    expect(put.status).toBe(201);
    expect(parsesLossless(routes.blobs.put, await put.json())).toEqual({ hash, size: diff.length });

    const pins = { ...SAMPLE_PINS, code: { ...SAMPLE_PINS.code, diff: { hash, size: diff.length, files: ['x'] } } };
    const submitted = await ok(
      'POST',
      '/api/sweeps',
      { body: { config: gridConfig(), cwd: '/laptop/repo/exp', pins } },
      201,
    );
    const sweepId = parsesLossless(routes.sweeps.submit, submitted).sweep.id;
    await eventually(async () => (await h.call('GET', `/api/sweeps/${sweepId}`)).body.sweep.status === 'finished');

    const shown = parsesLossless(routes.sweeps.get, await ok('GET', `/api/sweeps/${sweepId}`));
    // The best finite value ranks a trial, so x = 3 ranks by its 4.
    expect(shown.trials.map((t) => t.metricValue)).toEqual([1, 2, 4]);
    const { sweeps } = parsesLossless(routes.sweeps.list, await ok('GET', '/api/sweeps?limit=10'));
    expect(sweeps[0]?.best).toEqual({ trialId: `${sweepId}-0`, value: 1 });

    const trial = parsesLossless(routes.trials.get, await ok('GET', `/api/trials/${sweepId}-2`));
    const byKey = Object.fromEntries(trial.summaries.map((s) => [s.key, s]));
    expect(byKey.loss?.last).toBeNaN();
    expect(byKey.grad?.max).toBe(Number.POSITIVE_INFINITY);
    expect(byKey.lr?.min).toBe(Number.NEGATIVE_INFINITY);
    const { points } = parsesLossless(
      routes.trials.metrics,
      await ok('GET', `/api/trials/${sweepId}-2/metrics?key=loss`),
    );
    expect(points.map((p) => p.value)).toEqual([4, Number.NaN]);
    parsesLossless(routes.trials.logs, await ok('GET', `/api/trials/${sweepId}-2/logs?cursor=0`));
    const { lineage } = parsesLossless(routes.trials.lineage, await ok('GET', `/api/trials/${sweepId}-2/lineage`));
    expect(lineage.code?.diff?.hash).toBe(hash);

    const again = parsesLossless(
      routes.reproduce.start,
      await ok('POST', `/api/trials/${sweepId}-0/reproduce`, {}, 201),
    );
    expect(again.of).toBe(`${sweepId}-0`);
    await eventually(
      async () => (await h.call('GET', `/api/sweeps/${again.sweep.id}`)).body.sweep.status === 'finished',
    );

    // Errors have one shape too.
    const ended = await h.call('POST', `/api/trials/${sweepId}-0/stop`);
    expect(ended.status).toBe(409);
    expect(errorBody.parse(ended.body).error.code).toBe('TRIAL_ENDED');
  });

  it('control and stop answers of a running sweep fit their schemas', async () => {
    h = await startHarness();
    fakeAgent(h.transport, { behave: () => ({ holdMs: 5_000 }) });
    const submitted = await ok('POST', '/api/sweeps?force=true', { body: { config: gridConfig(), cwd: '/' } }, 201);
    const trialId = `${submitted.sweep.id}-0`;
    await eventually(async () => (await h.call('GET', `/api/trials/${trialId}`)).body.trial?.status === 'running');
    const paused = await h.call('POST', `/api/sweeps/${submitted.sweep.id}/pause`);
    expect([200, 202]).toContain(paused.status);
    expect(parsesLossless(routes.sweeps.control, paused.body).sweep.id).toBe(submitted.sweep.id);
    const stopped = await h.call('POST', `/api/trials/${trialId}/stop`);
    expect([200, 202]).toContain(stopped.status);
    expect(parsesLossless(routes.trials.stop, stopped.body).trial?.id).toBe(trialId);
  });

  it('the server refuses a malformed body naming the field; a client refuses a malformed answer the same way', async () => {
    h = await startHarness();
    const bad = await h.call('POST', '/api/agents/register', {
      token: TOKENS.worker,
      body: { agentId: 'box-1', host: 'box', pool: 'default', slots: 0, gpus: [], version: '0.1.0' },
    });
    expect(bad.status).toBe(422);
    const issues = errorBody.parse(bad.body).error.issues as Array<{ path: string; message: string }>;
    expect(issues.map((i) => i.path)).toEqual(['slots']);

    await ok('POST', '/api/agents/register', {
      token: TOKENS.worker,
      body: { agentId: 'box-1', host: 'box', pool: 'default', slots: 1, gpus: [], version: '0.1.0' },
    });
    const listed = await ok('GET', '/api/agents');
    listed.agents[0].slots = 'two';
    expect(() => parseResponse(routes.agents.list, listed)).toThrow(UnexpectedResponseError);
    expect(() => parseResponse(routes.agents.list, listed)).toThrow(/^GET \/api\/agents answered .*agents\.0\.slots: /);
  });
});
