import { EventEmitter } from 'node:events';
import { createInProcessTransport, type InProcessTransport } from '@hyperfleet/transport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withCredentialsOf } from './redis-url';
import { runAgentProcess } from './run-agent';
import {
  agentOptions,
  collectReports,
  type FakeController,
  finishedOf,
  type LogLine,
  makeWorkDir,
  nodeJob,
  startFakeController,
  waitFor,
} from './test-helpers';

let ctl: FakeController;
let transport: InProcessTransport;
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let logs: LogLine[];

beforeEach(async () => {
  ctl = await startFakeController();
  transport = createInProcessTransport({ reports: { retryDelayMs: 50 } });
  work = await makeWorkDir();
  logs = [];
});

afterEach(async () => {
  await transport.close();
  await ctl.close();
  await work.cleanup();
});

describe('runAgentProcess (signals)', () => {
  it('first SIGTERM drains, a second one stops the running trials now and hands them back', async () => {
    const sweep = 'sw-signals';
    const stream = collectReports(transport, sweep);
    const signals = new EventEmitter();
    const running = runAgentProcess(agentOptions(ctl, transport, work.dir, logs, { drainTimeoutMs: 60_000 }), {
      signals,
    });
    const job = nodeJob(sweep, 'setTimeout(() => {}, 30000)');
    await transport.queue.enqueue(job);
    await waitFor(() => stream.of(job.trialId).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    signals.emit('SIGTERM', 'SIGTERM');
    await waitFor(() => logs.some((l) => l.message.startsWith('SIGTERM: draining')));
    expect(finishedOf(stream.reports, job.trialId)).toBeUndefined(); // still running: the drain waits
    signals.emit('SIGINT', 'SIGINT');
    const result = await running;
    expect(result).toMatchObject({ reason: 'drained', interrupted: true });
    await waitFor(() => finishedOf(stream.reports, job.trialId));
    expect(finishedOf(stream.reports, job.trialId)?.result.outcome).toBe('lost');
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    await stream.close();
  });

  it('a signal while the server is still unreachable ends the start-up at once', async () => {
    const signals = new EventEmitter();
    const opts = agentOptions(ctl, transport, work.dir, logs, { startupRetryMs: 60_000 });
    ctl.unavailableFor = 1_000;
    const running = runAgentProcess(opts, { signals });
    await waitFor(() => logs.some((l) => l.message.includes('retrying in')));
    const began = Date.now();
    signals.emit('SIGINT', 'SIGINT');
    expect(await running).toEqual({ reason: 'closed', trialsRun: 0, interrupted: true });
    expect(Date.now() - began).toBeLessThan(2_000);
  });
});

describe("--redis with a registration that names the agent's own Redis user", () => {
  it('keeps the host of --redis and takes the user and password the server handed out', () => {
    const handed = 'redis://hf-agent%3Ahf%3Aa1:s3cret@10.0.0.5:6379/0';
    expect(withCredentialsOf('redis://redis.internal:6380/0', handed)).toBe(
      'redis://hf-agent%3Ahf%3Aa1:s3cret@redis.internal:6380/0',
    );
    // Credentials of its own in --redis win (the operator gave the agent a user); no handed-out user: unchanged.
    expect(withCredentialsOf('redis://me:pw@redis.internal:6380', handed)).toBe('redis://me:pw@redis.internal:6380');
    expect(withCredentialsOf('redis://redis.internal:6380', 'redis://10.0.0.5:6379')).toBe(
      'redis://redis.internal:6380',
    );
  });
});
