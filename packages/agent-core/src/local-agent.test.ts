import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInProcessTransport, type InProcessTransport } from '@hyperfleet/transport';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLocalAgent } from './local-agent';
import { collectReports, finishedOf, type LogLine, makeWorkDir, nodeJob, waitFor } from './testing';

let transport: InProcessTransport;
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let logs: LogLine[];

beforeEach(async () => {
  transport = createInProcessTransport();
  work = await makeWorkDir();
  logs = [];
});

afterEach(async () => {
  await transport.close();
  await work.cleanup();
});

function localAgent() {
  return createLocalAgent({
    transport,
    slots: 2,
    agentId: 'local',
    stopCheckMs: 100,
    trialDir: (job) => join(work.dir, 'runs', job.sweepId, job.trialId),
    logger: (level, message) => logs.push({ level, message }),
  });
}

it('takes jobs without a server, runs them in the given trial directory and leaves the transport open', async () => {
  const stream = collectReports(transport, 'sw-local');
  const agent = localAgent();
  await agent.start();
  // Pins that could never be rebuilt: a local agent runs in the submitter's tree and only passes them on.
  const job = nodeJob('sw-local', "console.log('loss=0.5')", {
    pins: {
      code: {
        repoRoot: work.dir,
        subdir: '',
        remoteName: null,
        remote: null,
        commit: 'a'.repeat(40),
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
  expect(finished).toMatchObject({ agentId: 'local', result: { outcome: 'exited', exitCode: 0 } });
  expect(stream.of(job.trialId)[0]).toMatchObject({ type: 'started', agentId: 'local' });
  expect(existsSync(join(work.dir, 'runs', 'sw-local', job.trialId, 'params.json'))).toBe(true);

  await agent.close();
  await stream.close();
  // The transport belongs to the caller (the sweep runner shares it): still usable after the agent closed.
  await expect(transport.queue.enqueue(nodeJob('sw-local', ''))).resolves.not.toThrow();
});

it('never pauses on start failures: the scheduler’s breaker ends the sweep instead of stalling it', async () => {
  const stream = collectReports(transport, 'sw-crash');
  const agent = localAgent();
  await agent.start();
  const jobs = Array.from({ length: 5 }, () => nodeJob('sw-crash', 'process.exit(3)'));
  for (const job of jobs) await transport.queue.enqueue(job);
  await waitFor(() => jobs.every((j) => finishedOf(stream.reports, j.trialId)), 15_000);
  expect(agent.snapshot().state).toBe('running');
  expect(logs.filter((l) => l.message.includes('pausing'))).toEqual([]);
  await agent.close();
  await stream.close();
});
