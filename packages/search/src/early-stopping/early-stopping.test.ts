import { describe, expect, it } from 'vitest';
import { ashaRungs, createAshaStopper } from './asha';
import { createEarlyStopper } from './create-early-stopper';
import { createHyperbandStopper, hyperbandBands } from './hyperband';
import { createMedianStopper } from './median';
import type { TrialHistory } from './types';

const h = (trialId: string, values: number[], completed = false): TrialHistory => ({ trialId, values, completed });

describe('hyperbandBands (W&B docs)', () => {
  it('min_iter: 3, eta: 3 → brackets at 3, 9, 27, 81, …', () => {
    expect(hyperbandBands({ min_iter: 3, eta: 3, strict: false }).slice(0, 4)).toEqual([3, 9, 27, 81]);
  });
  it('max_iter: 27, eta: 3, s: 2 → brackets at 3 and 9', () => {
    expect(hyperbandBands({ max_iter: 27, s: 2, eta: 3, strict: false })).toEqual([3, 9]);
  });
  it('max_iter: 5, eta: 2, s: 2 → 1 and 2 (2.5 and 1.25 truncated)', () => {
    expect(hyperbandBands({ max_iter: 5, s: 2, eta: 2, strict: false })).toEqual([1, 2]);
  });
  it('refuses a config with no band, saying what to change', () => {
    expect(() => hyperbandBands({ max_iter: 2, s: 1, eta: 3, strict: false })).toThrow(/increase s or max_iter/);
  });
});

describe('hyperband (W&B semantics)', () => {
  // The example in wandb/sweeps' hyperband_stop_runs docstring: max_iter 5, eta 2, s 2; only b is stopped.
  const runs = [
    h('a', [10, 9], true),
    h('b', [10, 10]),
    h('c', [10, 8, 8]),
    h('d', [10, 7, 7]),
    h('e', [10, 6, 6], true),
  ];
  const stopper = createHyperbandStopper({ max_iter: 5, s: 2, eta: 2, strict: false }, 'minimize', 'loss');

  it("stops b and keeps c and d in W&B's documented example", () => {
    const b = stopper.evaluate(runs[1]!, 1, runs);
    expect(b).toMatchObject({ stop: true, rule: 'hyperband', rung: 2, iteration: 2, threshold: 8, value: 10 });
    expect(b.stop && b.reason).toBe(
      'hyperband: rung 2 (step 2): loss 10 (best so far) worse than threshold 8 (top 1/2 of 5 trials)',
    );
    expect(stopper.evaluate(runs[2]!, 2, runs)).toEqual({ stop: false }); // 8 is not worse than 8
    expect(stopper.evaluate(runs[3]!, 2, runs)).toEqual({ stop: false });
  });

  it('strict mode compares the value at the band, not the best so far', () => {
    const all = [h('x', [5, 1, 9]), h('y', [5, 2, 2]), h('z', [5, 3, 3])];
    // Band 2 values 1, 2, 3 → threshold sorted[⌊3/2⌋] = 2. x: best 1, but at step 2 it was 1 too.
    const loose = createHyperbandStopper({ max_iter: 5, s: 2, eta: 2, strict: false }, 'minimize', 'loss');
    const strict = createHyperbandStopper({ max_iter: 5, s: 2, eta: 2, strict: true }, 'minimize', 'loss');
    expect(loose.evaluate(all[2]!, 2, all)).toMatchObject({ stop: true, value: 3, threshold: 2 });
    const late = [h('p', [1, 1, 1]), h('q', [2, 2, 0.5]), h('r', [1, 1.5, 1])];
    // q's value at band 2 (2) is worse than the threshold (1.5) though its best so far (0.5) is not.
    expect(loose.evaluate(late[1]!, 2, late)).toEqual({ stop: false });
    expect(strict.evaluate(late[1]!, 2, late)).toMatchObject({ stop: true, value: 2, threshold: 1.5 });
  });

  it('flips comparisons for maximize and reports values in the metric units', () => {
    const all = [h('a', [0.9, 0.95]), h('b', [0.5, 0.6]), h('c', [0.8, 0.85])];
    const max = createHyperbandStopper({ min_iter: 2, eta: 3, strict: false }, 'maximize', 'acc');
    const decision = max.evaluate(all[1]!, 1, all);
    expect(decision).toMatchObject({ stop: true, value: 0.6, threshold: 0.85 });
    expect(max.evaluate(all[0]!, 1, all)).toEqual({ stop: false });
  });

  it('never stops before the first band', () => {
    const stop = createHyperbandStopper({ min_iter: 3, eta: 3, strict: false }, 'minimize', 'loss');
    expect(stop.evaluate(h('a', [100, 100]), 1, [h('a', [100, 100]), h('b', [1, 1, 1])])).toEqual({ stop: false });
  });
});

describe('asha', () => {
  it('puts rungs at grace·rf^k below max_t', () => {
    expect(ashaRungs({ grace_period: 1, reduction_factor: 3, max_t: 81 })).toEqual([1, 3, 9, 27]);
    expect(ashaRungs({ grace_period: 2, reduction_factor: 2, max_t: 10 })).toEqual([2, 4, 8]);
  });

  it('judges a rung once, when crossed, against the top 1/rf so far', () => {
    const stopper = createAshaStopper({ grace_period: 2, reduction_factor: 2 }, 'minimize', 'loss');
    const all = [h('a', [5, 1]), h('b', [5, 2]), h('c', [5, 3]), h('d', [5, 4])];
    // Values at rung 1 (step 2): 1, 2, 3, 4 → cutoff = quantile 0.5 = 2.5.
    expect(stopper.evaluate(all[2]!, 1, all)).toMatchObject({
      stop: true,
      rule: 'asha',
      rung: 1,
      threshold: 2.5,
      value: 3,
    });
    expect(stopper.evaluate(all[1]!, 1, all)).toEqual({ stop: false });
    // Already past rung 1 before this report: not judged again.
    expect(stopper.evaluate(all[2]!, 2, all)).toEqual({ stop: false });
  });

  it('lets the first trial at a rung through (nobody to compare with)', () => {
    const stopper = createAshaStopper({ grace_period: 1, reduction_factor: 3 }, 'minimize', 'loss');
    expect(stopper.evaluate(h('a', [9]), 0, [h('a', [9])])).toEqual({ stop: false });
  });

  it('stops a trial at max_t', () => {
    const stopper = createAshaStopper({ grace_period: 1, reduction_factor: 3, max_t: 3 }, 'minimize', 'loss');
    const t = h('a', [1, 1, 1]);
    expect(stopper.evaluate(t, 2, [t])).toMatchObject({ stop: true, reason: 'asha: reached max_t (3 steps)' });
  });
});

describe('median', () => {
  const done = [h('a', [4, 3, 2], true), h('b', [5, 4, 3], true), h('c', [6, 5, 4], true), h('d', [7, 6, 5], true)];

  it('stops a trial whose best so far is worse than the real median of completed trials', () => {
    const stopper = createMedianStopper({ warmup_steps: 0, min_trials: 4 }, 'minimize', 'loss');
    const running = h('r', [9, 5]);
    // At step 2: 3, 4, 5, 6 → median 4.5 (mean of the middle two); r's best is 5.
    const all = [...done, running];
    expect(stopper.evaluate(running, 1, all)).toMatchObject({
      stop: true,
      rule: 'median',
      rung: 2,
      threshold: 4.5,
      value: 5,
    });
    expect(stopper.evaluate(h('s', [9, 4.4]), 1, [...done, h('s', [9, 4.4])])).toEqual({ stop: false });
  });

  it('waits for warm-up steps and for enough completed trials; ignores running trials', () => {
    const warm = createMedianStopper({ warmup_steps: 2, min_trials: 4 }, 'minimize', 'loss');
    expect(warm.evaluate(h('r', [9, 9]), 1, [...done, h('r', [9, 9])])).toEqual({ stop: false });
    expect(warm.evaluate(h('r', [9, 9, 9]), 2, [...done, h('r', [9, 9, 9])])).toMatchObject({ stop: true });
    const many = createMedianStopper({ warmup_steps: 0, min_trials: 5 }, 'minimize', 'loss');
    const runningOthers = [h('x', [0, 0]), h('y', [0, 0])];
    expect(many.evaluate(h('r', [9, 9]), 1, [...done, ...runningOthers, h('r', [9, 9])])).toEqual({ stop: false });
  });
});

describe('createEarlyStopper', () => {
  it('builds the rule named by early_terminate.type', () => {
    const all = [h('a', [1, 1, 1], true), h('b', [1, 1, 1], true), h('c', [1, 1, 1], true), h('r', [5, 5, 5])];
    for (const config of [
      { type: 'hyperband' as const, min_iter: 3, eta: 3, strict: false },
      { type: 'asha' as const, grace_period: 3, reduction_factor: 3 },
      { type: 'median' as const, warmup_steps: 0, min_trials: 3 },
    ]) {
      const decision = createEarlyStopper(config, 'minimize', 'loss').evaluate(all[3]!, 2, all);
      expect(decision).toMatchObject({ stop: true, rule: config.type });
    }
  });
});
