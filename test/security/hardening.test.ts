import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRedisTransport } from '@hyperfleet/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../chaos/harness/tcp-proxy';
import { runCli, startCli, tempDir } from '../helpers/cli';
import { ADMIN, Fleet, freePort, waitFor } from '../helpers/fleet';

/**
 * Issue 17, item 5: the attacks of "Open by default", "No caps", "500s", "Starvation" and the UI headers,
 * each against a real `hyperfleet server` process.
 */

const FOLLOWERS = 100;
const FOLLOW_WAIT_MS = 20_000;
// Long before the followers' 20 s wait ends; not a speed bound (those live in bench/).
const BEFORE_THEIR_WAIT_ENDS_MS = 10_000;

function noTokensEnv(): Record<string, string> {
  return { HYPERFLEET_TOKENS: '' };
}

function expectSecurityHeaders(res: Response): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toMatch(/connect-src 'self' ws: wss:/);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
}

async function jsonError(res: Response): Promise<{ code: string; message: string; hint?: string }> {
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string; hint?: string } };
  return body.error;
}

describe('open by default', () => {
  const dir = tempDir('hf-sec-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a non-loopback bind without tokens, naming --tokens, HYPERFLEET_TOKENS and --insecure-no-auth', async () => {
    // Which hosts count as loopback: services/controller/src/bound-address.test.ts.
    const port = await freePort();
    const res = await runCli(['server', '--host', '0.0.0.0', '--port', String(port)], { cwd: dir, env: noTokensEnv() });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--host 0.0.0.0');
    for (const fix of ['--tokens', 'HYPERFLEET_TOKENS', '--insecure-no-auth']) expect(res.stderr).toContain(fix);
  });

  describe('with --insecure-no-auth', () => {
    let server: ChildProcess;
    let url = '';
    let out = { stdout: '', stderr: '' };
    beforeAll(async () => {
      const port = await freePort();
      const args = ['server', '--host', '0.0.0.0', '--port', String(port), '--insecure-no-auth'];
      args.push('--max-body-size', '4kb', '--rate-limit', '30');
      const started = startCli(args, { cwd: dir, env: noTokensEnv() });
      server = started.child;
      void started.result.then((r) => {
        out = r;
      });
      let stdout = '';
      server.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      await waitFor('the insecure server to listen', async () => stdout.includes('dashboard:'), 30_000);
      out.stdout = stdout;
      url = `http://127.0.0.1:${port}`;
    });
    afterAll(() => {
      server?.kill('SIGKILL');
    });

    it('starts, says so at start, prints the address really bound, and flags /readyz and every dashboard page', async () => {
      expect(out.stdout).toMatch(/listening on 0\.0\.0\.0:\d+/);
      expect(out.stdout).toContain('INSECURE (--insecure-no-auth)');
      const ready = (await (await fetch(`${url}/readyz`)).json()) as { insecure?: boolean };
      expect(ready.insecure).toBe(true);
      for (const page of ['/', '/sweeps/some-sweep', '/trials/some-trial']) {
        const res = await fetch(`${url}${page}`);
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).toContain('class="insecure-banner"');
        expect(html).toContain('--insecure-no-auth');
        expectSecurityHeaders(res);
      }
    });

    it('a JSON body over --max-body-size is a JSON 413', async () => {
      const res = await fetch(`${url}/api/sweeps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ config: { method: 'grid', description: 'x'.repeat(8000) }, cwd: dir }),
      });
      expect(res.status).toBe(413);
      expect((await jsonError(res)).code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('past --rate-limit requests a minute from one caller: 429 with Retry-After', async () => {
      let limited: Response | null = null;
      for (let i = 0; i < 40 && !limited; i++) {
        const res = await fetch(`${url}/api/sweeps`);
        if (res.status === 429) limited = res;
        else await res.arrayBuffer();
      }
      expect(limited).not.toBeNull();
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
      const error = await jsonError(limited!);
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.hint).toContain('--rate-limit');
      // Probes are not API calls: a rate-limited caller's orchestrator still sees the server alive.
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    });
  });
});

describe('a fleet server (Postgres behind a proxy that the last test cuts)', () => {
  const dir = tempDir('hf-sec-fleet-');
  const proxy = new TcpProxy('postgres', { host: '127.0.0.1', port: 5432 });
  let fleet: Fleet;
  const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const api = (path: string, init: RequestInit = {}) => fetch(`${fleet.url}${path}`, { headers, ...init });

  beforeAll(async () => {
    await proxy.start();
    fleet = new Fleet(dir, undefined, {
      storeUrl: (u) => u.replace('127.0.0.1:5432', `127.0.0.1:${proxy.port}`),
      serverArgs: ['--max-parallel', '50', '--max-run-cap', '100', '--max-blob-size', '64kb'],
    });
    await fleet.start();
  });
  afterAll(async () => {
    await fleet?.close();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const grid = { method: 'grid', command: ['true'], parameters: { x: { values: [1, 2] } } };

  /** A two-trial sweep no agent runs: its trials' ids. */
  async function submitGrid(): Promise<string[]> {
    const submitted = await api('/api/sweeps?force=true', {
      method: 'POST',
      body: JSON.stringify({ config: { ...grid, parallel: 2 }, cwd: dir }),
    });
    expect(submitted.status).toBe(201);
    const { sweep } = (await submitted.json()) as { sweep: { id: string } };
    return waitFor('the sweep to have its trials', async () => {
      const { trials } = await fleet.sweep(sweep.id);
      return trials.length === 2 ? trials.map((t) => t.id) : null;
    });
  }

  it('caps: parallel over --max-parallel and run_cap over --max-run-cap are 422, a blob over --max-blob-size 413', async () => {
    const submit = (config: Record<string, unknown>) =>
      api('/api/sweeps?force=true', { method: 'POST', body: JSON.stringify({ config, cwd: dir }) });
    const parallel = await submit({ ...grid, parallel: 5000 });
    expect(parallel.status).toBe(422);
    const p = await jsonError(parallel);
    expect(p.code).toBe('PARALLEL_TOO_HIGH');
    expect(p.hint).toContain('--max-parallel');
    const random = { method: 'random', command: ['true'], parameters: { x: { min: 0, max: 1 } } };
    const runCap = await submit({ ...random, run_cap: 1_000_000 });
    expect(runCap.status).toBe(422);
    expect((await jsonError(runCap)).code).toBe('RUN_CAP_TOO_HIGH');
    expect((await submit({ ...random, run_cap: 100, parallel: 50 })).status).toBe(201);

    const hash = `sha256:${'0'.repeat(64)}`;
    const blob = await fetch(`${fleet.url}/api/blobs/${hash}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(200 * 1024),
    });
    expect(blob.status).toBe(413);
    expect((await jsonError(blob)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('malformed ids and query values, invalid UTF-8, bad percent-encoding, 5,000-deep JSON: 4xx JSON, no error log line', async () => {
    const logsBefore = fleet.logs.length;
    const ids = ['%00', '%ED%A0%80', '%zz', 'a%00b', '%C0%AF', 'x'.repeat(5000)];
    const routes = (id: string) => [
      `/api/sweeps/${id}`,
      `/api/sweeps/${id}/pause`,
      `/api/trials/${id}`,
      `/api/trials/${id}/logs`,
      `/api/trials/${id}/logs?wait=10`,
      `/api/trials/${id}/metrics`,
      `/api/trials/${id}/lineage`,
      `/api/trials/${id}/stop`,
      `/api/blobs/${id}`,
      `/api/agents/${id}`,
      `/api/models/${id}`,
    ];
    for (const id of ids) {
      for (const path of routes(id)) {
        const method = /\/(pause|stop)$/.test(path) ? 'POST' : 'GET';
        const res = await api(path, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
        expect([400, 404, 422], `${method} ${path}`).toContain(res.status);
        await jsonError(res);
      }
    }
    // A real trial, so the query reaches the store.
    const [trialId] = await submitGrid();
    for (const query of ['key=%00', 'cursor=%00', 'wait=%00', 'limit=%ED%A0%80', 'key[a][b]=%00']) {
      for (const path of ['/api/sweeps', `/api/trials/${trialId}/metrics`, `/api/trials/${trialId}/logs`]) {
        const res = await api(`${path}?${query}`);
        // A query a route does not read is ignored (200); one it reads is refused, never a 500.
        expect([200, 400, 404, 422], `${path}?${query}`).toContain(res.status);
        await jsonError(res);
      }
    }
    const deep = (depth: number, inner: string) => `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
    for (const body of [
      `{"config":${deep(5000, '1')},"cwd":"/"}`,
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      `{"config":{"method":"grid","parameters":{"x":{"values":[${'['.repeat(5000)}${']'.repeat(5000)}]}}},"cwd":"/"}`,
      '{"config":{"method":"grid","name":"a\\u0000b","parameters":{"x":{"values":[1]}}},"cwd":"/"}',
    ]) {
      const res = await api('/api/sweeps?force=true', { method: 'POST', body });
      expect(res.status).toBe(400);
      expect((await jsonError(res)).code).toBe('BAD_JSON');
    }
    expect(fleet.logs.slice(logsBefore).filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });

  it(`${FOLLOWERS} waiting log followers: a fresh logs request and a fresh follower still answer at once`, async () => {
    const [busy, quiet] = await submitGrid();
    const follow = (trialId: string) =>
      api(`/api/trials/${trialId}/logs?wait=${FOLLOW_WAIT_MS}`).then((r) => r.json() as Promise<{ chunks: string[] }>);
    const followers = Array.from({ length: FOLLOWERS }, () => follow(busy!));
    // Let every follower reach the server and start waiting.
    await new Promise((r) => setTimeout(r, 1000));
    const late = new Promise<'late'>((r) => setTimeout(() => r('late'), BEFORE_THEIR_WAIT_ENDS_MS).unref());

    const fresh = await Promise.race([api(`/api/trials/${quiet}/logs`), late]);
    expect(fresh).not.toBe('late');
    expect((fresh as Response).status).toBe(200);

    const transport = createRedisTransport({ url: fleet.redisUrl, prefix: fleet.prefix, onError: () => {} });
    try {
      const freshFollower = follow(quiet!);
      await new Promise((r) => setTimeout(r, 300));
      await transport.logs.append(quiet!, 'quiet line\n');
      expect(await Promise.race([freshFollower, late])).toEqual({
        chunks: ['quiet line\n'],
        cursor: expect.any(String),
      });
      await transport.logs.append(busy!, 'busy line\n');
      const all = await Promise.race([Promise.all(followers), late]);
      expect(all).not.toBe('late');
      for (const r of all as Array<{ chunks: string[] }>) expect(r.chunks).toEqual(['busy line\n']);
    } finally {
      await transport.close();
    }
  });

  it('security headers on API responses and the dashboard', async () => {
    expectSecurityHeaders(await api('/api/sweeps'));
    expectSecurityHeaders(await fetch(`${fleet.url}/`));
    expectSecurityHeaders(await fetch(`${fleet.url}/healthz`));
  });

  it('with Postgres unreachable, store-backed routes answer 503 NOT_READY (last: it cuts the store)', async () => {
    const { sweeps } = (await (await api('/api/sweeps')).json()) as { sweeps: Array<{ id: string }> };
    proxy.cut(120_000);
    for (const path of ['/api/sweeps', `/api/sweeps/${sweeps[0]?.id}`, '/api/trials/some-trial']) {
      const res = await api(path);
      expect(res.status, path).toBe(503);
      const error = await jsonError(res);
      expect(error.code).toBe('NOT_READY');
    }
    expect(fleet.crashes).toEqual([]);
  });
});
