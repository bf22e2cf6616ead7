import { createServer } from 'node:net';
import type { TrialJob } from '@hyperfleet/transport';
import { describe, expect, it } from 'vitest';
import { createAgent } from './agent';
import { AGENT_ERROR_CODES, AgentError } from './agent-error';
import {
  agentOptions,
  collectReports,
  finishedOf,
  nodeJob,
  useAgentHarness,
  WORKER_TOKEN,
  waitFor,
} from './test-helpers';

const h = useAgentHarness();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('bad input', () => {
  it('a job payload that fails validation is ended as spawn-error with the reason, once, and does not trip the breaker', async () => {
    const sweep = 'sw-bad';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ breaker: { threshold: 1 } });
    await agent.start();
    const bad = { ...nodeJob(sweep, ''), argv: [], seed: 'seven' } as unknown as TrialJob;
    await h.transport.queue.enqueue(bad);
    const finished = await waitFor(() => finishedOf(stream.reports, bad.trialId));
    expect(finished.result.outcome).toBe('spawn-error');
    expect(finished.result.error).toBe(
      'invalid trial job: argv: argv is empty; seed: Invalid input: expected number, received string',
    );
    expect(stream.of(bad.trialId).map((r) => r.type)).toEqual(['started', 'finished']);
    expect(await h.transport.queue.state('default', bad.trialId, 1)).toEqual({ state: 'completed' });
    expect(agent.snapshot().state).toBe('running');
  });

  it('a trial asking for a GPU on a CPU agent is failed with a clear reason', async () => {
    const sweep = 'sw-gpu-on-cpu';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ pool: 'cpu' });
    await agent.start();
    const job = nodeJob(sweep, 'process.exit(0)', { pool: 'cpu', resources: { gpus: 1 } });
    await h.transport.queue.enqueue(job);
    const finished = await waitFor(() => finishedOf(stream.reports, job.trialId));
    expect(finished.result).toMatchObject({ outcome: 'spawn-error' });
    expect(finished.result.error).toMatch(/asks for 1 GPU\(s\) but agent .* \(pool cpu\) has none/);
  });

  it('a wrong token: registration is refused with a clear message that never contains the token', async () => {
    const agent = h.newAgent({ token: 'not-the-token' });
    const error = await agent.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect((error as AgentError).code).toBe(AGENT_ERROR_CODES.tokenRefused);
    expect((error as AgentError).message).toBe('the server refused the token: check --token / HYPERFLEET_TOKEN');
    expect((error as AgentError).hint).toContain('answered 401: UNAUTHORIZED');
    expect(JSON.stringify({ ...(error as AgentError).toJSON(), logs: h.logs })).not.toContain('not-the-token');
    expect((await agent.done).reason).toBe('closed');
    expect(h.ctl.registrations).toHaveLength(0);
  });

  it('an unreachable server: retries with backoff up to the bound, then names the URL', async () => {
    const port = await freePort();
    const agent = h.newAgent({ serverUrl: `http://127.0.0.1:${port}/`, startupRetryMs: 1_200 });
    const began = Date.now();
    const error = (await agent.start().catch((e: unknown) => e)) as AgentError;
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_100);
    expect(Date.now() - began).toBeLessThan(4_000);
    expect(error.code).toBe(AGENT_ERROR_CODES.serverUnreachable);
    expect(error.message).toContain(`cannot reach the hyperfleet server at http://127.0.0.1:${port}: ECONNREFUSED`);
    expect(error.hint).toContain('gave up after 1 s');
    expect(h.logs.filter((l) => l.level === 'warn' && l.message.includes('retrying in')).length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('a controller that is still starting (503) is retried until it answers', async () => {
    h.ctl.unavailableFor = 2;
    const agent = h.newAgent({ startupRetryMs: 10_000 });
    await agent.start();
    expect(h.ctl.registrations).toHaveLength(1);
    expect(h.logs.filter((l) => l.message.includes('answered the registration with 503'))).toHaveLength(2);
  });

  it('rejects contradictory or empty options before doing anything', () => {
    const base = agentOptions(h.ctl, h.transport, h.work.dir, h.logs);
    expect(() => createAgent({ ...base, token: '' })).toThrow('no token: pass --token or set HYPERFLEET_TOKEN');
    expect(() => createAgent({ ...base, slots: 2, gpus: 'all' })).toThrow('not both');
    expect(() => createAgent({ ...base, serverUrl: 'ftp://x' })).toThrow('http:// or https://');
    expect(() => createAgent({ ...base, serverUrl: `http://u:${WORKER_TOKEN}@h` })).toThrow(
      'must not carry credentials',
    );
  });
});
