import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTrialRecord, openStore, type TrackingStore } from '@hyperfleet/store';
import { type AgentReport, CONTROLLER_SENDER } from '@hyperfleet/transport';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RefusedReports } from './refused-reports';
import { ReportHolders } from './report-holders';

let dir: string;
let store: TrackingStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-holders-'));
  store = await openStore(`sqlite:${join(dir, 'db.sqlite')}`);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const started = (trialId: string, agentId: string, attempt = 1): AgentReport => ({
  type: 'started',
  trialId,
  attempt,
  agentId,
  at: 1,
});
const points = (trialId: string, attempt = 1): AgentReport => ({ type: 'metrics', trialId, attempt, points: [] });
const lost = (trialId: string, agentId: string): AgentReport => ({
  type: 'finished',
  trialId,
  attempt: 1,
  agentId,
  at: 1,
  result: {
    outcome: 'lost',
    exitCode: null,
    signal: null,
    error: 'x',
    durationMs: 0,
    finalMetrics: {},
    malformedLines: 0,
  },
});

it('the agent whose start was accepted holds the attempt: nobody else reports about it', async () => {
  const pools = new Map([
    ['a', 'gpu'],
    ['b', 'gpu'],
    ['c', 'cpu'],
  ]);
  const holders = new ReportHolders({ store, agents: { runs: () => undefined, poolOf: (id) => pools.get(id) } });
  expect(await holders.refusal(started('t1', 'b'), 'a', 'gpu')).toMatch(/says agent "b" but agent "a" signed it/);
  expect(await holders.refusal(started('t1', 'c'), 'c', 'gpu')).toMatch(/serves pool cpu, the job is in pool gpu/);
  expect(await holders.refusal(points('t1'), 'a', 'gpu')).toMatch(/no agent started attempt 1 of trial t1/);
  expect(await holders.refusal(started('t1', 'a'), 'a', 'gpu')).toBeNull();
  holders.hold('t1', 1, 'a');
  expect(await holders.refusal(points('t1'), 'a', 'gpu')).toBeNull();
  expect(await holders.refusal(lost('t1', 'a'), 'a', 'gpu')).toBeNull();
  expect(await holders.refusal(started('t1', 'b'), 'b', 'gpu')).toMatch(/attempt 1 of trial t1 is held by agent a/);
  expect(await holders.refusal(points('t1'), 'b', 'gpu')).toMatch(/held by agent a/);
  expect(await holders.refusal(lost('t1', 'b'), 'b', 'gpu')).toMatch(/held by agent a/);
  // The next attempt is anybody's (of the pool) until its start is accepted.
  expect(await holders.refusal(started('t1', 'b', 2), 'b', 'gpu')).toBeNull();
  // The controller's own loss verdicts pass, whatever agent they name.
  expect(await holders.refusal(lost('t1', ''), CONTROLLER_SENDER, 'gpu')).toBeNull();
});

it('after a controller restart the holder is read back from the attempt records', async () => {
  await store.createSweep({
    id: 's9',
    name: null,
    status: 'running',
    method: 'grid',
    metricName: 'loss',
    goal: 'minimize',
    config: {},
    seed: 1,
    createdAt: 1,
    finishedAt: null,
    reason: null,
  });
  await store.createTrial(
    newTrialRecord({ id: 't9', sweepId: 's9', index: 0, params: {}, seed: 1, command: ['x'], createdAt: 1 }),
  );
  await store.startAttempt({
    trialId: 't9',
    attempt: 1,
    worker: 'a',
    status: 'succeeded',
    startedAt: 1,
    endedAt: 2,
    exitCode: 0,
    signal: null,
    reason: null,
  });
  const holders = new ReportHolders({ store });
  expect(await holders.refusal(points('t9'), 'a', undefined)).toBeNull(); // late points of the ended attempt
  expect(await holders.refusal(points('t9'), 'b', undefined)).toMatch(/held by agent a/);
});

it('audits refusals at most once per sender and sweep per interval, counting the ones left out', async () => {
  let now = 0;
  const warned: unknown[] = [];
  const log = { info() {}, error() {}, warn: (_m: string, f: unknown) => void warned.push(f) };
  const audit = new RefusedReports({ store, clock: { now: () => now }, log, everyMs: 1000 });
  for (let i = 0; i < 5; i++) audit.record({ sweepId: 's1', sender: 'b', reason: 'held by agent a', trialId: 't1' });
  audit.record({ sweepId: 's1', sender: 'c', reason: 'held by agent a' });
  now = 1500;
  audit.record({ sweepId: 's1', sender: 'b', reason: 'held by agent a', trialId: 't1', attempt: 1 });
  await new Promise((r) => setTimeout(r, 50));
  const events = await store.listEvents({ sweepId: 's1' });
  expect(events.map((e) => [e.type, e.actor, e.data])).toEqual([
    ['report.refused', 'b', { reason: 'held by agent a' }],
    ['report.refused', 'c', { reason: 'held by agent a' }],
    ['report.refused', 'b', { reason: 'held by agent a', attempt: 1, alsoRefusedSinceLastEvent: 4 }],
  ]);
  expect(warned).toHaveLength(3);
});
