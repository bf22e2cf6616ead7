import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { gridConfig, type Harness, startHarness, TOKENS } from './testing/harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const submit = (config: Record<string, unknown>) =>
  h.call('POST', '/api/sweeps?force=true', { body: { config, cwd: '/tmp' } });
const random = (extra: Record<string, unknown>) => ({
  method: 'random',
  program: 'train.mjs',
  parameters: { x: { min: 0, max: 1 } },
  ...extra,
});

describe('caps on a sweep', () => {
  it('parallel over the cap and run_cap over the cap (not grid) are 422 naming the cap and its flag', async () => {
    h = await startHarness({ limits: { maxParallel: 4, maxRunCap: 10 } });
    const parallel = await submit(gridConfig({ parallel: 5 }));
    expect(parallel.status).toBe(422);
    expect(parallel.body.error).toMatchObject({ code: 'PARALLEL_TOO_HIGH', limit: 4 });
    expect(parallel.body.error.hint).toContain('--max-parallel');
    const runCap = await submit(random({ run_cap: 11 }));
    expect(runCap.status).toBe(422);
    expect(runCap.body.error).toMatchObject({ code: 'RUN_CAP_TOO_HIGH', limit: 10 });
    // A submit-time count is the run_cap too.
    const count = await h.call('POST', '/api/sweeps?force=true', { body: { config: random({}), count: 11, cwd: '/' } });
    expect(count.body.error.code).toBe('RUN_CAP_TOO_HIGH');
    expect((await submit(random({ run_cap: 10, parallel: 4 }))).status).toBe(201);
    // A grid is bounded by its own size: run_cap there only trims it.
    expect((await submit(gridConfig({ run_cap: 50 }))).status).toBe(201);
  });
});

describe('blob size', () => {
  it('413 over the limit, whether the length is declared or the body is streamed in chunks', async () => {
    h = await startHarness({ limits: { maxBlobBytes: 1000 } });
    const bytes = Buffer.alloc(5000, 7);
    const hash = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const put = (body: Buffer | ReadableStream<Uint8Array>, extra: RequestInit = {}) =>
      fetch(`${h.url}/api/blobs/${hash}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKENS.submit}`, 'content-type': 'application/octet-stream' },
        body,
        ...extra,
      });
    const declared = await put(bytes);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(bytes.subarray(i * 1000, (i + 1) * 1000));
        c.close();
      },
    });
    const streamed = await put(chunks, { duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    const small = bytes.subarray(0, 1000);
    const smallHash = `sha256:${createHash('sha256').update(small).digest('hex')}`;
    const ok = await fetch(`${h.url}/api/blobs/${smallHash}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKENS.submit}`, 'content-type': 'application/octet-stream' },
      body: small,
    });
    expect(ok.status).toBe(201);
    expect(
      Buffer.from(
        await // Agents read blobs (a blob is in no one project, so a team's read token may not).
        (
          await fetch(`${h.url}/api/blobs/${smallHash}`, { headers: { authorization: `Bearer ${TOKENS.worker}` } })
        ).arrayBuffer(),
      ),
    ).toEqual(small);
  });
});

describe('request rate', () => {
  it('429 with Retry-After past the limit, per token; made-up tokens share their address’s bucket; heartbeats are free', async () => {
    h = await startHarness({ limits: { requestsPerMinute: 3 } });
    const heartbeat = () =>
      h.call('POST', '/api/agents/a1/heartbeat', {
        token: TOKENS.worker,
        body: { running: [], gpus: [], draining: false },
      });
    for (let i = 0; i < 5; i++) expect((await heartbeat()).status).not.toBe(429);
    // The same worker token: its heartbeats above did not count.
    for (let i = 0; i < 3; i++) expect((await h.call('GET', '/api/sweeps', { token: TOKENS.worker })).status).toBe(200);
    const limited = await fetch(`${h.url}/api/sweeps`, { headers: { authorization: `Bearer ${TOKENS.worker}` } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Another token has its own bucket.
    expect((await h.call('GET', '/api/sweeps', { token: TOKENS.admin })).status).toBe(200);
    // Made-up tokens do not buy fresh buckets: they all count against this address.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.call('GET', '/api/sweeps', { token: `made-up-${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
