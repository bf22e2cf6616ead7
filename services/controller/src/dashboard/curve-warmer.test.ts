import { requireValidConfig, TERMINAL_TRIAL_STATUSES, type TrialStatus, validateSweepConfig } from '@hyperfleet/domain';
import { silentLogger } from '@hyperfleet/engine';
import { openSqliteStore, type SqlTrackingStore, type TrialRecord } from '@hyperfleet/store';
import { afterEach, describe, expect, it } from 'vitest';
import { CurveCache } from './curve-cache';
import { CurveWarmer } from './curve-warmer';
import type { SnapshotSource } from './snapshots';
import { SweepShapes } from './sweep-shape';

let store: SqlTrackingStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

async function setup(statuses: TrialStatus[]) {
  store = await openSqliteStore(':memory:');
  const config = requireValidConfig(
    validateSweepConfig({
      name: 'w',
      method: 'random',
      program: 'train.py',
      metric: { name: 'loss', goal: 'minimize' },
      run_cap: statuses.length,
      parameters: { x: { min: 0, max: 1 } },
    }),
  );
  await store.createSweep({
    id: 'sw',
    name: 'w',
    status: 'running',
    method: 'random',
    metricName: 'loss',
    goal: 'minimize',
    config,
    seed: 1,
    createdAt: 1,
    finishedAt: null,
    reason: null,
  });
  const trials: TrialRecord[] = [];
  for (const [i, status] of statuses.entries()) {
    const trial: TrialRecord = {
      id: `sw-${i}`,
      sweepId: 'sw',
      index: i,
      status,
      params: { x: i },
      seed: i,
      command: null,
      createdAt: 1,
      startedAt: 1,
      endedAt: TERMINAL_TRIAL_STATUSES.includes(status) ? 2 : null,
      exitCode: null,
      signal: null,
      reason: null,
      metricValue: null,
      attempts: 1,
    };
    await store.createTrial(trial);
    await store.writeMetrics(
      Array.from({ length: 100 }, (_, step) => ({
        trialId: trial.id,
        key: 'loss',
        step,
        value: 1 / (step + 1),
        timestamp: 1,
      })),
    );
    trials.push(trial);
  }
  const src: SnapshotSource = {
    store,
    shapes: new SweepShapes(),
    curves: new CurveCache(),
    now: () => 0,
    serverUrl: () => null,
  };
  const warmer = new CurveWarmer(src, 200, silentLogger, () => false);
  return { src, warmer, trials };
}

/** Runs passes until the trial's curve is cached at `size` (a pass is asynchronous; one runs at a time). */
async function warmAll(warmer: CurveWarmer, src: SnapshotSource, id: string, attempts: number, size: number) {
  for (let i = 0; i < 100 && !src.curves.get(id, attempts, 'loss', size); i++) {
    warmer.pass();
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('CurveWarmer', () => {
  it('caches a finished trial at the default size when no client asked for one', async () => {
    const { src, warmer, trials } = await setup(['succeeded']);
    const t = trials[0]!;
    warmer.finished('sw', t);
    await warmAll(warmer, src, t.id, 1, 200);
    const cached = src.curves.get(t.id, 1, 'loss', 200);
    expect(cached?.curve?.steps).toHaveLength(100);
    expect(cached?.last).toEqual({ value: 1 / 100, step: 99 });
  });

  it('caches at the three sizes most recently asked for, and never a trial still running', async () => {
    const { src, warmer, trials } = await setup(['succeeded', 'running']);
    for (const n of [10, 20, 30, 40, 20]) warmer.askedFor(n);
    for (const t of trials) warmer.finished('sw', t);
    await warmAll(warmer, src, 'sw-0', 1, 20);
    for (const n of [20, 40, 30]) expect(src.curves.get('sw-0', 1, 'loss', n)?.curve?.steps).toHaveLength(n);
    expect(src.curves.get('sw-0', 1, 'loss', 10)).toBeUndefined();
    expect(src.curves.get('sw-1', 1, 'loss', 20)).toBeUndefined();
  });
});
