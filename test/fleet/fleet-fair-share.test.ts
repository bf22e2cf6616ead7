import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli';
import { Fleet, waitFor } from '../helpers/fleet';

// Fair share between projects on a real fleet (server + agents + Redis + Postgres): a project with a long queue
// does not keep another's first trial waiting behind it, a project's slot cap holds across agents, and a sweep
// that cannot start is ended for itself while the same agent goes on with other sweeps. Order comes from the
// trials' own timeline file (start/end lines), not from clocks.
const timelineTrial = resolve(import.meta.dirname, '..', 'fixtures', 'timeline.mjs');

let dir: string;
let fleet: Fleet;
let timeline: string;

beforeAll(async () => {
  dir = tempDir('hf-fleet-fair-');
  timeline = join(dir, 'timeline.log');
  fleet = new Fleet(dir, undefined, { serverArgs: ['--project-quota', 'capped=slots:2'] });
  await fleet.start();
  fleet.startAgent('fair', 2, { args: ['--pool', 'fair'] });
  fleet.startAgent('cap-1', 2, { args: ['--pool', 'cap'] });
  fleet.startAgent('cap-2', 2, { args: ['--pool', 'cap'] });
  await waitFor('the agents', async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === 3);
}, 120_000);

afterAll(async () => {
  await fleet?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sweep = (project: string, pool: string, runCap: number, sleepMs: number, parallel = runCap) =>
  fleet.submit({
    project,
    method: 'random',
    run_cap: runCap,
    parallel,
    program: timelineTrial,
    metric: { name: 'loss', goal: 'minimize' },
    resources: { pool },
    parameters: { x: { min: 0, max: 1 }, sleep_ms: { value: sleepMs }, timeline: { value: timeline } },
  });

/** The timeline's lines: `start|end <sweep> <trial>`, or a `mark` the test wrote. */
const lines = (): string[][] =>
  existsSync(timeline)
    ? readFileSync(timeline, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' '))
    : [];

/** The most trials of `sweeps` ever running at once, replaying the timeline. */
function mostAtOnce(sweeps: string[]): number {
  let now = 0;
  let most = 0;
  for (const [kind, sweepId] of lines()) {
    if (!sweeps.includes(sweepId ?? '')) continue;
    now += kind === 'start' ? 1 : kind === 'end' ? -1 : 0;
    most = Math.max(most, now);
  }
  return most;
}

it("B's first trial starts on the next free slot although A queued many more trials first", async () => {
  // A: 10 trials of 3 s, all of them wanting to run at once, on an agent with 2 slots.
  const a = await sweep('team-a', 'fair', 10, 3_000);
  await waitFor('A to fill both slots', async () => lines().filter(([k, s]) => k === 'start' && s === a).length >= 2);
  appendFileSync(timeline, 'mark b-submitted\n');
  const b = await sweep('team-b', 'fair', 2, 500);
  const [bEnd, aEnd] = await Promise.all([fleet.waitForSweepEnd(b), fleet.waitForSweepEnd(a)]);
  expect(bEnd.sweep.status).toBe('finished');
  expect(aEnd.sweep.status).toBe('finished');
  expect(bEnd.trials.every((t) => t.status === 'succeeded')).toBe(true);

  const after = lines().slice(lines().findIndex(([k]) => k === 'mark'));
  const firstB = after.findIndex(([k, s]) => k === 'start' && s === b);
  const aStartsBeforeB = after.slice(0, firstB).filter(([k, s]) => k === 'start' && s === a).length;
  // FIFO would start A's other 8 trials first. Fair share gives B the next slot that frees; at most one A job
  // granted just before B arrived (a slot freed meanwhile) may start ahead of it — never both slots' worth.
  expect(firstB).toBeGreaterThan(0);
  expect(aStartsBeforeB).toBeLessThan(2);
  expect(mostAtOnce([a, b])).toBe(2);
}, 120_000);

it('a project never runs more trials at once than its slot cap, across agents, and its trials all run', async () => {
  // Pool `cap` has 4 slots on two agents; project `capped` may hold 2 of them.
  const capped = await sweep('capped', 'cap', 6, 1_500, 6);
  const end = await fleet.waitForSweepEnd(capped);
  expect(end.sweep.status).toBe('finished');
  expect(end.trials.filter((t) => t.status === 'succeeded')).toHaveLength(6);
  expect(mostAtOnce([capped])).toBe(2);
}, 120_000);

it('a sweep that cannot start fails with its error; the same agent runs another sweep and is never paused', async () => {
  const broken = await fleet.submit({
    project: 'team-a',
    method: 'random',
    run_cap: 6,
    parallel: 2,
    command: ['/nonexistent/python3', 'train.py'],
    metric: { name: 'loss', goal: 'minimize' },
    resources: { pool: 'fair' },
    parameters: { x: { min: 0, max: 1 } },
  });
  const brokenEnd = await fleet.waitForSweepEnd(broken);
  // The agent that failed it three times takes the next sweep's trials at once (it used to pause for 300 s).
  const good = await sweep('team-b', 'fair', 4, 200, 2);
  const goodEnd = await fleet.waitForSweepEnd(good, 60_000);
  expect(goodEnd.sweep.status).toBe('finished');
  expect(goodEnd.trials.filter((t) => t.status === 'succeeded')).toHaveLength(4);
  expect(brokenEnd.sweep.status).toBe('failed');
  expect(brokenEnd.sweep.reason).toMatch(/all failed the same way: .*\/nonexistent\/python3/);
  const { agents } = await fleet.api<{ agents: { agentId: string; agentStatus?: string }[] }>('/api/agents');
  expect(agents.find((x) => x.agentId === fleet.agentId('fair'))?.agentStatus).toBe('running');
}, 120_000);
