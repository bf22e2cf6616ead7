import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SweepPlan, SweepScheduler } from '@hyperfleet/scheduler';
import { openStore, type TrackingStore } from '@hyperfleet/store';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { LocalDispatcher } from './local-dispatcher';

let dir: string;
let store: TrackingStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-local-'));
  store = await openStore(join(dir, 'db.sqlite'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each trial records when it started and ended (ms), so the test can see how many overlapped.
const script = `
const fs = require('node:fs');
const start = Date.now();
setTimeout(() => {
  fs.appendFileSync(process.env.SPANS, start + ' ' + Date.now() + '\\n');
  console.log('loss=' + process.env.HYPERFLEET_SEED % 7);
}, 150);`;

function plan(parallel: number, runCap: number): SweepPlan {
  return {
    id: 'sw',
    name: null,
    method: 'random',
    metric: { name: 'loss', goal: 'minimize' },
    space: { params: [{ name: 'x', path: ['x'], dist: { distribution: 'uniform', min: 0, max: 1 } }] },
    parallel,
    runCap,
    retries: 0,
    seed: 3,
    config: {},
    command: () => [process.execPath, '-e', script],
  };
}

it('runs trials through the real runner with at most `slots` at once and stores their metrics', async () => {
  const spans = join(dir, 'spans.txt');
  const dispatcher = new LocalDispatcher({ slots: 2, cwd: dir, runsDir: join(dir, 'runs'), env: { SPANS: spans } });
  const scheduler = new SweepScheduler(plan(2, 6), { store, dispatcher, clock: { now: () => Date.now() } });
  dispatcher.bind(scheduler);
  await scheduler.start();
  const sweep = await scheduler.done;
  await dispatcher.drain();
  expect(sweep.status).toBe('finished');
  const trials = await store.listTrials('sw');
  expect(trials.map((t) => t.status)).toEqual(Array(6).fill('succeeded'));
  for (const t of trials) expect(t.metricValue).toBe(t.seed % 7);
  const intervals = readFileSync(spans, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number) as [number, number]);
  const maxOverlap = Math.max(...intervals.map(([s]) => intervals.filter(([a, b]) => a <= s && s < b).length));
  expect(maxOverlap).toBe(2); // both slots used, never a third trial
});

it('a trial stopped while still queued is reported cancelled without ever starting', async () => {
  const spans = join(dir, 'spans.txt');
  const dispatcher = new LocalDispatcher({ slots: 1, cwd: dir, runsDir: join(dir, 'runs'), env: { SPANS: spans } });
  const scheduler = new SweepScheduler(plan(2, 2), { store, dispatcher, clock: { now: () => Date.now() } });
  dispatcher.bind(scheduler);
  await scheduler.start();
  await scheduler.cancel('test');
  const sweep = await scheduler.done;
  await dispatcher.drain();
  expect(sweep.status).toBe('cancelled');
  const trials = await store.listTrials('sw');
  expect(trials.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
  expect(trials[1]?.startedAt).toBeNull();
  expect(await store.listAttempts(trials[1]!.id)).toEqual([]);
});
