import { createServer } from 'node:net';
import { createInProcessTransport, type InProcessTransport, type TrialJob } from '@hyperfleet/transport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from './agent';
import { AGENT_ERROR_CODES, AgentError } from './agent-error';
import {
  agentOptions,
  collectReports,
  type FakeController,
  finishedOf,
  type LogLine,
  makeWorkDir,
  nodeJob,
  startFakeController,
  WORKER_TOKEN,
  waitFor,
} from './test-helpers';

let ctl: FakeController;
let transport: InProcessTransport;
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let logs: LogLine[];
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  ctl = await startFakeController();
  transport = createInProcessTransport({ reports: { retryDelayMs: 50 } });
  work = await makeWorkDir();
  logs = [];
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  await transport.close();
  await ctl.close();
  await work.cleanup();
});

function newAgent(overrides: Parameters<typeof agentOptions>[4] = {}) {
  const agent = createAgent(agentOptions(ctl, transport, work.dir, logs, overrides));
  cleanups.push(() => agent.close());
  return agent;
}

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
    const stream = collectReports(transport, sweep);
    cleanups.push(stream.close);
    const agent = newAgent({ breaker: { threshold: 1 } });
    await agent.start();
    const bad = { ...nodeJob(sweep, ''), argv: [], seed: 'seven' } as unknown as TrialJob;
    await transport.queue.enqueue(bad);
    const finished = await waitFor(() => finishedOf(stream.reports, bad.trialId));
    expect(finished.result.outcome).toBe('spawn-error');
    expect(finished.result.error).toBe(
      'invalid trial job: argv: argv is empty; seed: Invalid input: expected number, received string',
    );
    expect(stream.of(bad.trialId).map((r) => r.type)).toEqual(['started', 'finished']);
    expect(await transport.queue.state('default', bad.trialId, 1)).toEqual({ state: 'completed' });
    expect(agent.snapshot().state).toBe('running');
  });

  it('a trial asking for a GPU on a CPU agent is failed with a clear reason', async () => {
    const sweep = 'sw-gpu-on-cpu';
    const stream = collectReports(transport, sweep);
    cleanups.push(stream.close);
    const agent = newAgent({ pool: 'cpu' });
    await agent.start();
    const job = nodeJob(sweep, 'process.exit(0)', { pool: 'cpu', resources: { gpus: 1 } });
    await transport.queue.enqueue(job);
    const finished = await waitFor(() => finishedOf(stream.reports, job.trialId));
    expect(finished.result).toMatchObject({ outcome: 'spawn-error' });
    expect(finished.result.error).toMatch(/asks for 1 GPU\(s\) but agent .* \(pool cpu\) has none/);
  });

  it('a wrong token: registration is refused with a clear message that never contains the token', async () => {
    const agent = newAgent({ token: 'not-the-token' });
    const error = await agent.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect((error as AgentError).code).toBe(AGENT_ERROR_CODES.tokenRefused);
    expect((error as AgentError).message).toBe('the server refused the token: check --token / HYPERFLEET_TOKEN');
    expect((error as AgentError).hint).toContain('answered 401: UNAUTHORIZED');
    expect(JSON.stringify({ ...(error as AgentError).toJSON(), logs })).not.toContain('not-the-token');
    expect((await agent.done).reason).toBe('closed');
    expect(ctl.registrations).toHaveLength(0);
  });

  it('an unreachable server: retries with backoff up to the bound, then names the URL', async () => {
    const port = await freePort();
    const agent = newAgent({ serverUrl: `http://127.0.0.1:${port}/`, startupRetryMs: 1_200 });
    const began = Date.now();
    const error = (await agent.start().catch((e: unknown) => e)) as AgentError;
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_100);
    expect(Date.now() - began).toBeLessThan(4_000);
    expect(error.code).toBe(AGENT_ERROR_CODES.serverUnreachable);
    expect(error.message).toContain(`cannot reach the hyperfleet server at http://127.0.0.1:${port}: ECONNREFUSED`);
    expect(error.hint).toContain('gave up after 1 s');
    expect(logs.filter((l) => l.level === 'warn' && l.message.includes('retrying in')).length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('a controller that is still starting (503) is retried until it answers', async () => {
    ctl.unavailableFor = 2;
    const agent = newAgent({ startupRetryMs: 10_000 });
    await agent.start();
    expect(ctl.registrations).toHaveLength(1);
    expect(logs.filter((l) => l.message.includes('answered the registration with 503'))).toHaveLength(2);
  });

  it('rejects contradictory or empty options before doing anything', () => {
    const base = agentOptions(ctl, transport, work.dir, logs);
    expect(() => createAgent({ ...base, token: '' })).toThrow('no token: pass --token or set HYPERFLEET_TOKEN');
    expect(() => createAgent({ ...base, slots: 2, gpus: 'all' })).toThrow('not both');
    expect(() => createAgent({ ...base, serverUrl: 'ftp://x' })).toThrow('http:// or https://');
    expect(() => createAgent({ ...base, serverUrl: `http://u:${WORKER_TOKEN}@h` })).toThrow(
      'must not carry credentials',
    );
  });
});
