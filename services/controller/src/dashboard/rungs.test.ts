import type { EventRecord } from '@hyperfleet/store';
import { describe, expect, it } from 'vitest';
import { buildRungs, rungIterations } from './rungs';

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
