import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricPoint, Params, SearchSpace } from '@hyperfleet/domain';
import { openStore, type TrackingStore } from '@hyperfleet/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptReport, Dispatcher, SweepPlan, TrialDispatch } from './ports';
import { SweepScheduler } from './sweep-scheduler';

/** Records dispatches; a stop request comes back as a stopped attempt, as the local dispatcher does. */
class ScriptedDispatcher implements Dispatcher {
  readonly dispatched: TrialDispatch[] = [];
  readonly stopped: string[] = [];
  scheduler!: SweepScheduler;

  async dispatch(job: TrialDispatch): Promise<void> {
    this.dispatched.push(job);
  }

  async stop(trialId: string): Promise<void> {
    this.stopped.push(trialId);
    const job = this.dispatched.findLast((j) => j.trial.id === trialId);
    if (job) queueMicrotask(() => void this.scheduler.reportFinished(finished(job, 'stopped')));
  }
}

function finished(job: TrialDispatch, outcome: AttemptReport['outcome'] = 'exited'): AttemptReport {
  return {
    trialId: job.trial.id,
    attempt: job.attempt,
    outcome,
    exitCode: outcome === 'exited' ? 0 : null,
    signal: null,
    error: null,
    durationMs: 5,
    finalMetrics: {},
    malformedLines: 0,
  };
}

const space: SearchSpace = { params: [{ name: 'x', path: ['x'], dist: { distribution: 'uniform', min: 0, max: 1 } }] };

function plan(overrides: Partial<SweepPlan> = {}): SweepPlan {
  return {
    id: 'sw-et',
    name: null,
    method: 'random',
    metric: { name: 'loss', goal: 'minimize' },
    space,
    parallel: 3,
    runCap: 3,
    retries: 0,
    seed: 1,
    config: { method: 'random' },
    earlyTerminate: { type: 'hyperband', min_iter: 2, eta: 2, strict: false },
    command: (params: Params) => ['train', JSON.stringify(params)],
    ...overrides,
  };
}

let dir: string;
let store: TrackingStore;
let now = 1_000;
const clock = { now: () => now++ };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-et-'));
  store = await openStore(`sqlite:${join(dir, 'db.sqlite')}`);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(p: SweepPlan) {
  const dispatcher = new ScriptedDispatcher();
  const scheduler = new SweepScheduler(p, { store, dispatcher, clock });
  dispatcher.scheduler = scheduler;
  return { dispatcher, scheduler };
}

const points = (trialId: string, values: number[]): MetricPoint[] =>
  values.map((value, step) => ({ trialId, key: 'loss', step, value, timestamp: 0 }));

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('early termination in the scheduler', () => {
  it('stops a trial on the report that puts it below the hyperband threshold, with a stored reason', async () => {
    const { dispatcher, scheduler } = setup(plan());
    await scheduler.start();
    const [a, b, c] = dispatcher.dispatched.map((j) => j.trial.id);
    for (const j of dispatcher.dispatched) await scheduler.reportStarted(j.trial.id, 1);
    await scheduler.reportMetrics(points(a!, [1, 0.9]));
    await scheduler.reportMetrics(points(b!, [1, 0.5]));
    expect(dispatcher.stopped).toEqual([]);
    await scheduler.reportMetrics(points(c!, [1]));
    expect(dispatcher.stopped).toEqual([]); // band 2 not reached yet
    await scheduler.reportMetrics(points(c!, [1, 2]));
    expect(dispatcher.stopped).toEqual([c]);
    await settle();
    for (const j of dispatcher.dispatched.filter((j) => j.trial.id !== c)) await scheduler.reportFinished(finished(j));
    await scheduler.done;

    const trial = await store.getTrial(c!);
    expect(trial?.status).toBe('stopped');
    expect(trial?.reason).toBe(
      'hyperband: rung 1 (step 2): loss 1 (best so far) worse than threshold 0.9 (top 1/2 of 3 trials)',
    );
    const events = await store.listEvents({ trialId: c! });
    const stop = events.find((e) => e.type === 'trial.early_stopped');
    expect(stop?.data).toMatchObject({ rule: 'hyperband', rung: 1, iteration: 2, threshold: 0.9, value: 1 });
    expect((await store.getTrial(a!))?.status).toBe('succeeded');
  });

  it('rebuilds the histories from the store when a sweep is recovered', async () => {
    const first = setup(plan());
    await first.scheduler.start();
    const [a, b, c] = first.dispatcher.dispatched.map((j) => j.trial.id);
    await first.scheduler.reportMetrics([...points(a!, [1, 0.9]), ...points(b!, [1, 0.5])]);
    // The controller goes away; a new scheduler re-attaches to the stored sweep.
    const second = setup(plan());
    await second.scheduler.start();
    expect(second.dispatcher.dispatched.map((j) => j.trial.id).sort()).toEqual([a, b, c].sort());
    await second.scheduler.reportMetrics(points(c!, [1, 2]));
    // Only the stored histories of a and b make c's 1 worse than the threshold.
    expect(second.dispatcher.stopped).toEqual([c]);
    await settle();
    for (const j of second.dispatcher.dispatched.filter((j) => j.trial.id !== c)) {
      await second.scheduler.reportFinished(finished(j));
    }
    expect((await second.scheduler.done).status).toBe('finished');
    expect((await store.getTrial(c!))?.status).toBe('stopped');
  });

  it('never stops anything without an early_terminate block', async () => {
    const { dispatcher, scheduler } = setup(plan({ earlyTerminate: undefined }));
    await scheduler.start();
    const [a, b, c] = dispatcher.dispatched.map((j) => j.trial.id);
    await scheduler.reportMetrics([...points(a!, [1, 0.9]), ...points(b!, [1, 0.5]), ...points(c!, [5, 9])]);
    expect(dispatcher.stopped).toEqual([]);
  });
});
