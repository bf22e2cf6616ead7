import type { EventRecord } from '@hyperfleet/store';
import { describe, expect, it } from 'vitest';
import { buildRungs, RungTracker, rungIterations } from './rungs';

const stop = (trialId: string, iteration: number, threshold: number): EventRecord => ({
  at: 1,
  sweepId: 's',
  trialId,
  type: 'trial.early_stopped',
  actor: null,
  data: { reason: 'x', rule: 'hyperband', rung: 1, iteration, threshold, value: threshold + 1 },
});

describe('rungs', () => {
  it('none without early_terminate', () => {
    expect(buildRungs(null, [{ reports: 5, stepsAt: {} }], [])).toEqual([]);
    expect(rungIterations(null, [])).toEqual([]);
  });

  it('hyperband: the ladder up to the next unreached band, placed at the median step, with stops and survivors', () => {
    const config = { type: 'hyperband' as const, min_iter: 2, eta: 2, strict: false };
    expect(rungIterations(config, []).slice(0, 4)).toEqual([2, 4, 8, 16]);
    // Trials log every 10 steps from 10: the n-th report is at step 10n.
    const at = (n: number) => Object.fromEntries([2, 4, 8].filter((t) => t <= n).map((t) => [t, 10 * t]));
    const trials = [5, 5, 3, 2].map((n) => ({ reports: n, stepsAt: at(n) }));
    const rungs = buildRungs(config, trials, [stop('t3', 2, 0.5), stop('t2', 4, 0.25)]);
    expect(rungs).toEqual([
      { iteration: 2, step: 20, threshold: 0.5, survivors: 3, stopped: 1 },
      { iteration: 4, step: 40, threshold: 0.25, survivors: 1, stopped: 1 },
      { iteration: 8, step: 80, threshold: null, survivors: 0, stopped: 0 }, // not reached: at the trials' pace
    ]);
  });

  it('median: rungs only where trials were stopped', () => {
    const config = { type: 'median' as const, warmup_steps: 1, min_trials: 1 };
    const rungs = buildRungs(config, [{ reports: 3, stepsAt: { 3: 2 } }], [stop('a', 3, 1)]);
    expect(rungs).toEqual([{ iteration: 3, step: 2, threshold: 1, survivors: 0, stopped: 1 }]);
  });
});

describe('RungTracker', () => {
  const config = { type: 'asha' as const, grace_period: 1, reduction_factor: 2, max_t: 8 };
  // Two trials the snapshot read: one report each (step 0), the last step read 0.
  const start = () =>
    new RungTracker(
      config,
      [],
      ['a', 'b'].map((trialId) => ({ trialId, progress: { reports: 1, stepsAt: { 1: 0 } }, lastStep: 0 })),
    );

  it("starts where the snapshot is: its first rungs are the snapshot's, and nothing changed", () => {
    const tracker = start();
    expect(tracker.first).toEqual(
      buildRungs(
        config,
        [1, 1].map(() => ({ reports: 1, stepsAt: { 1: 0 } })),
        [],
      ),
    );
    expect(tracker.first[0]).toMatchObject({ iteration: 1, step: 0, survivors: 2 });
    expect(tracker.changed()).toBeNull();
  });

  it('counts new finite points once: a redelivered or already-read step, or a NaN, does not move a rung', () => {
    const tracker = start();
    expect(tracker.addPoint('a', 0, 0.5)).toBe(false); // the snapshot read it
    expect(tracker.addPoint('a', 1, Number.NaN)).toBe(false);
    expect(tracker.changed()).toBeNull();
    expect(tracker.addPoint('a', 2, 0.4)).toBe(true); // the second finite report: rung 2, at step 2
    expect(tracker.addPoint('a', 2, 0.4)).toBe(false);
    const rungs = tracker.changed();
    expect(rungs?.find((r) => r.iteration === 2)).toMatchObject({ step: 2, survivors: 1, stopped: 0 });
    expect(tracker.changed()).toBeNull();
  });

  it('follows stops and new attempts', () => {
    const tracker = start();
    tracker.addPoint('b', 1, 0.9);
    tracker.setStops([stop('b', 2, 0.5)]);
    expect(tracker.changed()?.find((r) => r.iteration === 2)).toMatchObject({ threshold: 0.5, stopped: 1 });
    tracker.restart('b'); // attempt 2 starts from step 0 again
    expect(tracker.addPoint('b', 0, 0.8)).toBe(true);
    expect(tracker.changed()?.find((r) => r.iteration === 1)).toMatchObject({ survivors: 2 });
  });
});
