import type { FinishedReport } from '@hyperfleet/transport';
import { createInProcessTransport, type InProcessTransport } from '@hyperfleet/transport';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AttemptExecutor } from './attempt-executor';
import { SlotPool } from './slot-pool';
import { collectReports, finishedOf, type LogLine, makeWorkDir, nodeJob, waitFor } from './testing';
import { type AttemptPlacement, TrialTaker } from './trial-taker';

let transport: InProcessTransport;
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let logs: LogLine[];
const takers: TrialTaker[] = [];

beforeEach(async () => {
  transport = createInProcessTransport();
  work = await makeWorkDir();
  logs = [];
});

afterEach(async () => {
  for (const taker of takers.splice(0)) await taker.close();
  await transport.close();
  await work.cleanup();
});

function newTaker(overrides: Partial<ConstructorParameters<typeof TrialTaker>[0]> = {}): TrialTaker {
  const taker = new TrialTaker({
    agentId: 'a1',
    host: 'box',
    pool: 'default',
    workDir: work.dir,
    placement: { on: 'this-machine' },
    stopCheckMs: 100,
    logger: (level, message) => logs.push({ level, message }),
    ...overrides,
  });
  takers.push(taker);
  return taker;
}

it('takes at most maxJobs, tells the owner about each, and only about attempts that ran', async () => {
  const stream = collectReports(transport, 'sw-max');
  const ended: FinishedReport[] = [];
  let taken = 0;
  let done = 0;
  const taker = newTaker({
    maxJobs: 2,
    onJobTaken: () => taken++,
    onAttemptEnded: (report) => ended.push(report),
    onJobDone: () => done++,
  });
  // A GPU request on a CPU slot is refused before it runs: not the machine's fault, so not an ended attempt.
  const refused = nodeJob('sw-max', 'process.exit(0)', { resources: { gpus: 1 } });
  const ran = nodeJob('sw-max', 'process.exit(0)');
  const left = nodeJob('sw-max', 'process.exit(0)');
  for (const job of [refused, ran, left]) await transport.queue.enqueue(job);
  taker.start(transport, SlotPool.cpu(1));
  await waitFor(() => taker.jobsDone === 2);
  expect(finishedOf(stream.reports, refused.trialId)?.result).toMatchObject({ outcome: 'spawn-error' });
  expect(finishedOf(stream.reports, ran.trialId)?.result).toMatchObject({ outcome: 'exited', exitCode: 0 });
  expect({ taken, done, taker: taker.jobsTaken }).toEqual({ taken: 2, done: 2, taker: 2 });
  expect(ended.map((r) => r.outcome)).toEqual(['exited']);
  expect(await transport.queue.state('default', left.trialId, 1)).toEqual({ state: 'waiting' });
  await stream.close();
});

it('drain hands back what outlives its patience and says why', async () => {
  const stream = collectReports(transport, 'sw-end');
  const taker = newTaker();
  taker.start(transport, SlotPool.cpu(2));
  const slow = [nodeJob('sw-end', 'setTimeout(() => {}, 30000)'), nodeJob('sw-end', 'setTimeout(() => {}, 30000)')];
  for (const job of slow) await transport.queue.enqueue(job);
  await waitFor(() => taker.running.length === 2);
  await new Promise((resolve) => setTimeout(resolve, 150)); // let both processes spawn
  await taker.drain(1_000);
  expect(taker.busy).toBe(false);
  for (const job of slow) {
    const result = finishedOf(stream.reports, job.trialId)?.result;
    expect(result?.outcome).toBe('lost');
    expect(result?.error).toBe(
      'handed back by agent a1 (box) shutting down: it did not finish within the 1 s drain timeout',
    );
  }
  expect((await transport.queue.state('default', slow[0]?.trialId ?? '', 1)).state).toBe('failed');
  await taker.close();
  await stream.close();
});

it('close stops running attempts now and hands them back as closed', async () => {
  const stream = collectReports(transport, 'sw-close');
  const taker = newTaker();
  taker.start(transport, SlotPool.cpu(1));
  const job = nodeJob('sw-close', 'setTimeout(() => {}, 30000)');
  await transport.queue.enqueue(job);
  await waitFor(() => taker.running.length === 1);
  await new Promise((resolve) => setTimeout(resolve, 150));
  await Promise.all([taker.close(), taker.close()]);
  expect(finishedOf(stream.reports, job.trialId)?.result.error).toBe(
    'handed back by agent a1 (box) shutting down: the agent was closed',
  );
  await stream.close();
});

it('numbers machine samples per attempt, on the slots the caller picks', async () => {
  const stream = collectReports(transport, 'sw-sample');
  const taker = newTaker();
  taker.start(transport, SlotPool.gpus([3]));
  const job = nodeJob('sw-sample', 'setTimeout(() => {}, 1500)');
  await transport.queue.enqueue(job);
  await waitFor(() => taker.running.length === 1);
  expect(taker.running).toEqual([{ trialId: job.trialId, attempt: 1, slot: 0, gpu: 3 }]);
  taker.addSample(1_000, (attempt) => (attempt.gpu === 3 ? [{ key: 'sys/gpu_util', value: 40 }] : null));
  taker.addSample(2_000, () => [{ key: 'sys/gpu_util', value: 60 }]);
  taker.addSample(3_000, () => null);
  await waitFor(() => finishedOf(stream.reports, job.trialId));
  const points = stream.of(job.trialId).flatMap((r) => (r.type === 'metrics' ? r.points : []));
  expect(points.filter((p) => p.key === 'sys/gpu_util')).toEqual([
    { key: 'sys/gpu_util', value: 40, step: 0, timestamp: 1_000 },
    { key: 'sys/gpu_util', value: 60, step: 1, timestamp: 2_000 },
  ]);
  await stream.close();
});

it('an executor gets the attempt with `started` already published and no pins rebuilt here', async () => {
  const stream = collectReports(transport, 'sw-exec');
  let startedFirst = false;
  const executor: AttemptExecutor = {
    async runAttempt(job, opts) {
      startedFirst = stream.of(job.trialId).some((r) => r.type === 'started');
      return {
        outcome: 'exited',
        exitCode: 0,
        signal: null,
        error: null,
        durationMs: 5,
        finalMetrics: {},
        malformedLines: 0,
        logPath: opts.trialDir,
      };
    },
  };
  const placement: AttemptPlacement = { on: 'executor', executor };
  const taker = newTaker({ placement, batch: { intervalMs: 10_000 } });
  taker.start(transport, SlotPool.cpu(1));
  // Pins that could never be rebuilt here, and a GPU request a CPU slot could not meet: both the pod's business.
  const job = nodeJob('sw-exec', '', {
    resources: { gpus: 1 },
    pins: {
      code: {
        repoRoot: work.dir,
        subdir: '',
        remoteName: null,
        remote: null,
        commit: 'b'.repeat(40),
        branch: null,
        diff: null,
        untrackedPolicy: 'warn',
        untracked: [],
        pushed: false,
      },
      data: [],
      bundle: null,
      dataRemote: null,
    },
  });
  await transport.queue.enqueue(job);
  const finished = await waitFor(() => finishedOf(stream.reports, job.trialId));
  expect(finished.result).toMatchObject({ outcome: 'exited', exitCode: 0 });
  expect(startedFirst).toBe(true);
  await stream.close();
});
