import { randomBytes } from 'node:crypto';
import { createRedisTransport, type LostAttempt, type Transport } from '@hyperfleet/transport';
import { deleteKeysUnder } from '@hyperfleet/transport/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from './agent';
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

// The real Redis (127.0.0.1:6379, as the rest of `npm test`), a unique key prefix per test.
const REDIS_URL = process.env.HYPERFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const shortTimers = { lockDurationMs: 2_000, stalledIntervalMs: 1_000, closeTimeoutMs: 3_000 };

let ctl: FakeController;
let controllerSide: Transport;
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let logs: LogLine[];
let prefix: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  prefix = `hf-test-worker-${randomBytes(4).toString('hex')}`;
  ctl = await startFakeController({ redisUrl: REDIS_URL, queuePrefix: prefix });
  controllerSide = createRedisTransport({ url: REDIS_URL, prefix, ...shortTimers, reports: { blockMs: 200 } });
  work = await makeWorkDir();
  logs = [];
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  await controllerSide.close();
  await ctl.close();
  await deleteKeysUnder(REDIS_URL, prefix);
  await work.cleanup();
});

/** The agent builds its own Redis transport from what the controller said at registration, as in production. */
function newAgent(overrides: Parameters<typeof agentOptions>[4] = {}) {
  const agent = createAgent(
    agentOptions(ctl, controllerSide, work.dir, logs, {
      transportFactory: (registration) =>
        createRedisTransport({ url: registration.redisUrl, prefix: registration.queuePrefix, ...shortTimers }),
      ...overrides,
    }),
  );
  cleanups.push(() => agent.close());
  return agent;
}

describe('agent on the Redis transport', () => {
  it('runs trials from the pool queue, streams metrics and logs, and honours a stop within a second', async () => {
    const sweep = 'sw-redis';
    const stream = collectReports(controllerSide, sweep);
    cleanups.push(stream.close);
    const agent = newAgent({ slots: 2, pool: 'cpu' });
    await agent.start();

    const quick = nodeJob(sweep, "for (let i = 0; i < 700; i++) console.log('loss=' + i)", { pool: 'cpu' });
    const long = nodeJob(sweep, "console.log('loss=1'); setTimeout(() => {}, 30000)", { pool: 'cpu' });
    await controllerSide.queue.enqueue(quick);
    await controllerSide.queue.enqueue(long);

    const done = await waitFor(() => finishedOf(stream.reports, quick.trialId));
    expect(done.result).toMatchObject({ outcome: 'exited', exitCode: 0, finalMetrics: { loss: 699 } });
    const mine = stream.of(quick.trialId);
    expect(mine[0]?.type).toBe('started');
    expect(mine.at(-1)?.type).toBe('finished');
    const batches = mine.filter((r) => r.type === 'metrics');
    expect(batches.flatMap((r) => (r.type === 'metrics' ? r.points : []))).toHaveLength(700);
    expect(batches.every((r) => r.type === 'metrics' && r.points.length <= 500)).toBe(true);
    expect((await controllerSide.queue.state('cpu', quick.trialId, 1)).state).toBe('completed');

    await waitFor(() => stream.of(long.trialId).some((r) => r.type === 'metrics'));
    const { chunks } = await controllerSide.logs.read(long.trialId, '0');
    expect(chunks.join('')).toContain('loss=1');
    const asked = Date.now();
    await controllerSide.control.requestStop(long.trialId);
    const stopped = await waitFor(() => finishedOf(stream.reports, long.trialId));
    expect(Date.now() - asked).toBeLessThan(1_000);
    expect(stopped.result.outcome).toBe('stopped');
  });

  it('drain past its timeout hands the running attempt back: reported lost, job failed as handed back', async () => {
    const sweep = 'sw-redis-drain';
    const stream = collectReports(controllerSide, sweep);
    cleanups.push(stream.close);
    const lost: LostAttempt[] = [];
    const watch = controllerSide.queue.watchLost((l) => lost.push(l));
    cleanups.push(() => watch.close());
    const agent = newAgent({ drainTimeoutMs: 300 });
    await agent.start();
    const job = nodeJob(sweep, "console.log('loss=0.25'); setTimeout(() => {}, 30000)");
    const next = nodeJob(sweep, 'process.exit(0)');
    await controllerSide.queue.enqueue(job);
    await waitFor(() => stream.of(job.trialId).some((r) => r.type === 'metrics'));
    await controllerSide.queue.enqueue(next);

    expect((await agent.drain()).reason).toBe('drained');
    const finished = finishedOf(stream.reports, job.trialId);
    expect(finished?.result.outcome).toBe('lost');
    expect(finished?.result.finalMetrics).toEqual({ loss: 0.25 });
    const state = await controllerSide.queue.state('default', job.trialId, 1);
    expect(state.state).toBe('failed');
    expect(state.failedReason).toMatch(/^handed back: handed back by agent/);
    await waitFor(() => lost.find((l) => l.trialId === job.trialId));
    expect(lost.find((l) => l.trialId === job.trialId)?.cause).toBe('handed-back');
    expect((await controllerSide.queue.state('default', next.trialId, 1)).state).toBe('waiting');
  });
});
