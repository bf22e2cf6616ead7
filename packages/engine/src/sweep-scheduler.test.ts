import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Params, SearchSpace } from '@hyperfleet/domain';
import { openStore, type TrackingStore } from '@hyperfleet/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptReport, Dispatcher, SweepPlan, TrialDispatch } from './ports';
import { SweepScheduler } from './sweep-scheduler';

/**
 * A dispatcher driven by the test: it records what the scheduler hands out and lets the test decide how
 * each attempt ends. The store under it is the real SQLite backend.
 */
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
    if (job) queueMicrotask(() => void this.scheduler.reportFinished(report(job, { outcome: 'stopped' })));
  }
}

function report(job: TrialDispatch, patch: Partial<AttemptReport>): AttemptReport {
  return {
    trialId: job.trial.id,
    attempt: job.attempt,
    outcome: 'exited',
    exitCode: 0,
    signal: null,
    error: null,
    durationMs: 5,
    finalMetrics: {},
    malformedLines: 0,
    ...patch,
  };
}

const gridSpace: SearchSpace = {
  params: [
    { name: 'lr', path: ['lr'], dist: { distribution: 'categorical', values: [0.1, 0.01, 0.001] } },
    { name: 'layers', path: ['layers'], dist: { distribution: 'categorical', values: [1, 2] } },
  ],
};

function plan(overrides: Partial<SweepPlan> = {}): SweepPlan {
  return {
    id: 'sw1',
    name: null,
    method: 'grid',
    metric: { name: 'acc', goal: 'maximize' },
    space: gridSpace,
    parallel: 2,
    retries: 0,
    seed: 7,
    config: { method: 'grid' },
    command: (params: Params) => ['train', JSON.stringify(params)],
    ...overrides,
  };
}

let dir: string;
let store: TrackingStore;
let now = 1_000;
const clock = { now: () => now++ };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-sched-'));
  store = await openStore(`sqlite:${join(dir, 'db.sqlite')}`);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(p: SweepPlan, breakerThreshold?: number, fillChunk?: number) {
  const dispatcher = new ScriptedDispatcher();
  const scheduler = new SweepScheduler(p, { store, dispatcher, clock, breakerThreshold, fillChunk });
  dispatcher.scheduler = scheduler;
  return { dispatcher, scheduler };
}

/** Runs every dispatched-but-unreported job to completion with the given accuracy function. */
async function completeAll(
  d: ScriptedDispatcher,
  s: SweepScheduler,
  acc: (params: Params) => number | null,
  patchFor: (job: TrialDispatch) => Partial<AttemptReport> = () => ({}),
) {
  const reported = new Set<string>();
  for (let guard = 0; guard < 1000; guard++) {
    const job = d.dispatched.find((j) => !reported.has(`${j.trial.id}#${j.attempt}`));
    if (!job) return;
    reported.add(`${job.trial.id}#${job.attempt}`);
    await s.reportStarted(job.trial.id, job.attempt);
    const value = acc(job.trial.params);
    if (value !== null) {
      await s.reportMetrics([{ trialId: job.trial.id, key: 'acc', step: 0, value, timestamp: now }]);
    }
    await s.reportFinished(report(job, { finalMetrics: value === null ? {} : { acc: value }, ...patchFor(job) }));
  }
}

describe('SweepScheduler', () => {
  it('keeps `parallel` trials in flight and writes each trial to the store before dispatching it', async () => {
    const { dispatcher, scheduler } = setup(plan());
    await scheduler.start();
    expect(dispatcher.dispatched).toHaveLength(2);
    for (const job of dispatcher.dispatched) {
      expect((await store.getTrial(job.trial.id))?.status).toBe('queued');
    }
  });

  it('creates no trial before start(): a fill reaching a scheduler still starting waits for its sweep row', async () => {
    const { dispatcher, scheduler } = setup(plan({ id: 'early' }));
    expect(scheduler.canFillMore).toBe(false);
    await scheduler.fillMore(); // as a reconcile or fair-share pass on a runner being started would
    expect(dispatcher.dispatched).toHaveLength(0);
    await scheduler.start();
    expect(dispatcher.dispatched).toHaveLength(2);
  });

  it('runs a grid to exhaustion, ranks by the goal and records the best value reported', async () => {
    const { dispatcher, scheduler } = setup(plan());
    await scheduler.start();
    await completeAll(dispatcher, scheduler, (p) => (p.lr as number) * 10 + (p.layers as number));
    const sweep = await scheduler.done;
    expect(sweep.status).toBe('finished');
    expect(sweep.reason).toBe('search space exhausted');
    const ranked = await store.listTrials('sw1', { rankBy: 'maximize' });
    expect(ranked).toHaveLength(6);
    expect(ranked[0]?.params).toEqual({ lr: 0.1, layers: 2 });
    expect(ranked[0]?.metricValue).toBe(3);
    expect(new Set(ranked.map((t) => JSON.stringify(t.params))).size).toBe(6);
  });

  it("points of a trial's final attempt that arrive after it ended are stored and re-rank it", async () => {
    const { dispatcher, scheduler } = setup(plan());
    await scheduler.start();
    const job = dispatcher.dispatched[0] as TrialDispatch;
    const id = job.trial.id;
    await scheduler.reportStarted(id, 1, 'a');
    await scheduler.reportMetrics([{ trialId: id, key: 'acc', step: 0, value: 0.5, timestamp: 1 }]);
    await scheduler.reportFinished(report(job, { finalMetrics: { acc: 0.5 } }));
    expect((await store.getTrial(id))?.metricValue).toBe(0.5);
    // Its agent re-sends the point Redis lost, behind the ending that overtook it.
    await scheduler.reportLatePoints([{ trialId: id, key: 'acc', step: 1, value: 0.9, timestamp: 2 }]);
    expect((await store.getTrial(id))?.metricValue).toBe(0.9);
    expect((await store.getMetricHistory(id, 'acc')).map((p) => p.value)).toEqual([0.5, 0.9]);
  });

  it('creates trials in chunks of `fillChunk` between saves, the same trials as all at once', async () => {
    const space: SearchSpace = {
      params: [{ name: 'x', path: ['x'], dist: { distribution: 'uniform', min: 0, max: 1 } }],
    };
    const random = (id: string) => plan({ id, method: 'random', runCap: 7, parallel: 7, space });
    const whole = setup(random('whole'));
    await whole.scheduler.start();
    const { dispatcher, scheduler } = setup(random('chunked'), undefined, 3);
    await scheduler.start();
    expect(dispatcher.dispatched).toHaveLength(3);
    // A finished trial makes room, but the chunk is not saved yet: nothing more is created.
    await completeAll(dispatcher, scheduler, () => 0.5);
    expect(dispatcher.dispatched).toHaveLength(3);
    expect(scheduler.canFillMore).toBe(true);
    for (const expected of [6, 7]) {
      scheduler.chunkSaved(scheduler.createdCount);
      await scheduler.fillMore();
      expect(dispatcher.dispatched).toHaveLength(expected);
    }
    expect(scheduler.canFillMore).toBe(false); // run_cap reached
    expect(dispatcher.dispatched.map((j) => j.trial.params)).toEqual(
      whole.dispatcher.dispatched.map((j) => j.trial.params),
    );
    await completeAll(dispatcher, scheduler, () => 0.5);
    expect((await scheduler.done).reason).toMatch(/run_cap of 7/);
  });

  it('stops creating trials at run_cap', async () => {
    const { dispatcher, scheduler } = setup(plan({ method: 'random', runCap: 3, space: gridSpace }));
    await scheduler.start();
    await completeAll(dispatcher, scheduler, () => 0.5);
    const sweep = await scheduler.done;
    expect(sweep.reason).toBe('run_cap of 3 trials reached');
    expect(await store.listTrials('sw1')).toHaveLength(3);
  });

  it('ends the sweep when metric.target is reached', async () => {
    const { dispatcher, scheduler } = setup(
      plan({ metric: { name: 'acc', goal: 'maximize', target: 2.5 }, parallel: 1 }),
    );
    await scheduler.start();
    await completeAll(dispatcher, scheduler, (p) => (p.lr as number) * 10 + (p.layers as number));
    const sweep = await scheduler.done;
    expect(sweep.reason).toMatch(/^target reached: acc=3 in trial sw1-\d+/);
    expect((await store.listTrials('sw1')).length).toBeLessThan(6);
  });

  it('marks a trial that never reports the metric "no metric" and ranks it last', async () => {
    const { dispatcher, scheduler } = setup(plan());
    await scheduler.start();
    await completeAll(dispatcher, scheduler, (p) => (p.layers === 2 ? null : 1));
    await scheduler.done;
    const ranked = await store.listTrials('sw1', { rankBy: 'maximize' });
    const silent = ranked.filter((t) => t.params.layers === 2);
    expect(silent.every((t) => t.status === 'succeeded' && t.reason === 'no metric: acc was never reported')).toBe(
      true,
    );
    expect(ranked.slice(-3).every((t) => t.metricValue === null)).toBe(true);
  });

  it('a non-finite value never ranks as best, never meets the target and reaches the search as a failure', async () => {
    const { dispatcher, scheduler } = setup(
      plan({ metric: { name: 'acc', goal: 'maximize', target: 100 }, parallel: 6 }),
    );
    await scheduler.start();
    const [diverged, mixed, ...rest] = dispatcher.dispatched;
    for (const job of dispatcher.dispatched) await scheduler.reportStarted(job.trial.id, job.attempt);
    const point = (job: TrialDispatch, step: number, value: number) => ({
      trialId: job.trial.id,
      key: 'acc',
      step,
      value,
      timestamp: now,
    });
    await scheduler.reportMetrics([point(diverged!, 0, Number.POSITIVE_INFINITY)]);
    await scheduler.reportMetrics([point(mixed!, 0, 0.25), point(mixed!, 1, Number.POSITIVE_INFINITY)]);
    for (const [i, job] of rest.entries()) await scheduler.reportMetrics([point(job, 0, 0.01 * i)]);
    for (const job of dispatcher.dispatched) await scheduler.reportFinished(report(job, {}));
    const sweep = await scheduler.done;
    expect(sweep.reason).toBe('search space exhausted'); // +Infinity ≥ target did not end it
    const ranked = await store.listTrials('sw1', { rankBy: 'maximize' });
    expect(ranked[0]).toMatchObject({ id: mixed!.trial.id, metricValue: 0.25 });
    expect(ranked.at(-1)).toMatchObject({ id: diverged!.trial.id, metricValue: Number.POSITIVE_INFINITY });
    const observed = (scheduler as unknown as { finished: { value: number | null; status: string }[] }).finished;
    expect(observed.find((o) => o.value === null)).toEqual(expect.objectContaining({ status: 'failed' }));
    expect(observed.every((o) => o.value === null || Number.isFinite(o.value))).toBe(true);
  });

  it('adds the points the ingest dropped to the trial record, per reason', async () => {
    const { dispatcher, scheduler } = setup(plan({ parallel: 1 }));
    await scheduler.start();
    const job = dispatcher.dispatched[0]!;
    await scheduler.reportStarted(job.trial.id, job.attempt);
    await scheduler.reportDropped(job.trial.id, { step_negative: 2 });
    await scheduler.reportDropped(job.trial.id, { step_negative: 1, step_too_large: 1 });
    expect((await store.getTrial(job.trial.id))?.droppedPoints).toEqual({ step_negative: 3, step_too_large: 1 });
    await scheduler.reportFinished(report(job, {}));
    expect((await store.getTrial(job.trial.id))?.droppedPoints).toEqual({ step_negative: 3, step_too_large: 1 });
  });

  it('trips the breaker when the first trials all fail the same way, and cancels the rest', async () => {
    const { dispatcher, scheduler } = setup(plan({ parallel: 2 }), 3);
    await scheduler.start();
    await completeAll(
      dispatcher,
      scheduler,
      () => null,
      () => ({
        outcome: 'spawn-error',
        exitCode: null,
        error: 'spawn nope ENOENT',
      }),
    );
    const sweep = await scheduler.done;
    expect(sweep.status).toBe('failed');
    expect(sweep.reason).toContain('all failed the same way: spawn nope ENOENT');
    const trials = await store.listTrials('sw1');
    expect(trials.filter((t) => t.status === 'failed')).toHaveLength(3);
    expect(trials.every((t) => t.status === 'failed' || t.status === 'cancelled')).toBe(true);
    const events = await store.listEvents({ sweepId: 'sw1' });
    expect(events.some((e) => e.type === 'breaker.tripped')).toBe(true);
  });

  it('does not trip the breaker when failures differ or a trial succeeded', async () => {
    const { dispatcher, scheduler } = setup(plan({ parallel: 1 }), 3);
    await scheduler.start();
    await completeAll(
      dispatcher,
      scheduler,
      () => null,
      (job) => ({ exitCode: job.trial.index + 1 }),
    );
    const sweep = await scheduler.done;
    expect(sweep.status).toBe('finished');
    expect((await store.listTrials('sw1')).filter((t) => t.status === 'failed')).toHaveLength(6);
  });

  it('retries a lost attempt up to `retries`, then fails the trial', async () => {
    const { dispatcher, scheduler } = setup(plan({ parallel: 1, retries: 1, runCap: 1, method: 'random' }));
    await scheduler.start();
    const first = dispatcher.dispatched[0]!;
    await scheduler.reportStarted(first.trial.id, 1);
    await scheduler.reportFinished(report(first, { outcome: 'lost', exitCode: null, error: 'worker died' }));
    const second = dispatcher.dispatched[1]!;
    expect(second.trial.id).toBe(first.trial.id);
    expect(second.attempt).toBe(2);
    await scheduler.reportStarted(second.trial.id, 2);
    await scheduler.reportFinished(report(second, { outcome: 'lost', exitCode: null, error: 'worker died' }));
    await scheduler.done;
    const trial = await store.getTrial(first.trial.id);
    expect(trial?.status).toBe('failed');
    expect(trial?.reason).toContain('no retries left');
    expect(await store.listAttempts(first.trial.id)).toHaveLength(2);
  });

  it('a retried trial ranks by its new attempt only: cancelled before that one reports, it has no value', async () => {
    const { dispatcher, scheduler } = setup(plan({ id: 'lost-then-cancelled', parallel: 1, retries: 1, runCap: 1 }));
    await scheduler.start();
    const first = dispatcher.dispatched[0]!;
    await scheduler.reportStarted(first.trial.id, 1);
    await scheduler.reportMetrics([{ trialId: first.trial.id, key: 'acc', step: 0, value: 0.9, timestamp: now }]);
    expect((await store.getTrial(first.trial.id))?.metricValue).toBe(0.9);
    await scheduler.reportFinished(report(first, { outcome: 'lost', exitCode: null, error: 'worker died' }));
    expect((await store.getTrial(first.trial.id))?.metricValue).toBeNull(); // its points were archived
    await scheduler.cancel('interrupted');
    await scheduler.done;
    expect(await store.getTrial(first.trial.id)).toMatchObject({ status: 'cancelled', metricValue: null });
  });

  it('a started report whose attempt record a dead predecessor already wrote: the trial runs on', async () => {
    const { dispatcher, scheduler } = setup(plan({ id: 'half-started', parallel: 1, runCap: 1, method: 'random' }));
    await scheduler.start();
    const job = dispatcher.dispatched[0]!;
    // The predecessor saved the attempt, then died before saving the trial as running.
    await store.startAttempt({
      trialId: job.trial.id,
      attempt: 1,
      worker: 'a',
      status: 'running',
      startedAt: now,
      endedAt: null,
      exitCode: null,
      signal: null,
      reason: null,
    });
    await scheduler.reportStarted(job.trial.id, 1, 'a');
    expect((await store.getTrial(job.trial.id))?.status).toBe('running');
    await scheduler.reportFinished(report(job, {}));
    expect((await scheduler.done).status).toBe('finished');
    expect((await store.listAttempts(job.trial.id)).map((a) => a.status)).toEqual(['succeeded']);
  });

  it('cancel stops every in-flight trial and records each as cancelled', async () => {
    const { dispatcher, scheduler } = setup(plan());
    await scheduler.start();
    for (const j of dispatcher.dispatched) await scheduler.reportStarted(j.trial.id, j.attempt);
    await scheduler.cancel('interrupted (SIGINT)');
    const sweep = await scheduler.done;
    expect(sweep.status).toBe('cancelled');
    expect(dispatcher.stopped).toHaveLength(2);
    const trials = await store.listTrials('sw1');
    expect(trials.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('gives the same trials for the same seed, regardless of completion order', async () => {
    const paramsFor = async (seed: number, reverse: boolean, id: string) => {
      const { dispatcher, scheduler } = setup(plan({ id, method: 'random', runCap: 6, seed, parallel: 3 }));
      await scheduler.start();
      for (let round = 0; round < 10 && dispatcher.dispatched.length < 6; round++) {
        const open = dispatcher.dispatched.slice(-3);
        for (const job of reverse ? [...open].reverse() : open) {
          await scheduler.reportStarted(job.trial.id, job.attempt);
          await scheduler.reportFinished(report(job, {}));
        }
      }
      return (await store.listTrials(id)).map((t) => ({ index: t.index, params: t.params, seed: t.seed }));
    };
    const a = await paramsFor(42, false, 'a');
    const b = await paramsFor(42, true, 'b');
    const c = await paramsFor(43, false, 'c');
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('recovers a stored sweep: unfinished trials are dispatched again, finished ones are not', async () => {
    const first = setup(plan({ parallel: 2 }));
    await first.scheduler.start();
    const [done] = first.dispatcher.dispatched;
    await first.scheduler.reportStarted(done!.trial.id, 1);
    await first.scheduler.reportFinished(report(done!, { finalMetrics: { acc: 1 } }));
    // The process "dies" here; a new scheduler attaches to the same sweep id.
    const second = setup(plan({ parallel: 2 }));
    await second.scheduler.start();
    const ids = second.dispatcher.dispatched.map((j) => j.trial.id);
    expect(ids).not.toContain(done!.trial.id);
    expect(ids).toContain(first.dispatcher.dispatched[1]!.trial.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('recovers a running trial as running: a repeated started report is ignored and its finish is recorded', async () => {
    const first = setup(plan({ parallel: 1, method: 'random', runCap: 1 }));
    await first.scheduler.start();
    const [job] = first.dispatcher.dispatched;
    await first.scheduler.reportStarted(job!.trial.id, 1, 'agent-a');
    const second = setup(plan({ parallel: 1, method: 'random', runCap: 1 }));
    await second.scheduler.start();
    expect(second.dispatcher.dispatched.map((j) => [j.trial.id, j.attempt])).toEqual([[job!.trial.id, 1]]);
    expect((await store.getTrial(job!.trial.id))?.status).toBe('running');
    await second.scheduler.reportStarted(job!.trial.id, 1, 'agent-a'); // at-least-once redelivery
    await second.scheduler.reportFinished(report(job!, { finalMetrics: { acc: 0.5 } }));
    const sweep = await second.scheduler.done;
    expect(sweep.status).toBe('finished');
    const attempts = await store.listAttempts(job!.trial.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 'succeeded', worker: 'agent-a' });
  });
});
