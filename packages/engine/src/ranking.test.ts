import type { MetricSummary } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { bestOf, compareByGoal, isBetter, reachesTarget, trialMetricValue } from './ranking';

// A series that peaks (0.9 at step 1) before its last point (0.7 at step 2).
const peak: MetricSummary = {
  trialId: 's-0',
  key: 'acc',
  last: 0.7,
  lastStep: 2,
  min: 0.5,
  minStep: 0,
  max: 0.9,
  maxStep: 1,
  count: 3,
};

describe('best value', () => {
  it('bestOf: max when maximizing, min when minimizing', () => {
    expect(bestOf(peak, 'maximize')).toBe(0.9);
    expect(bestOf(peak, 'minimize')).toBe(0.5);
  });

  it('trialMetricValue: the sweep metric at its best by goal, any other metric at its last value', () => {
    expect(trialMetricValue(peak, { name: 'acc', goal: 'maximize' })).toBe(0.9);
    expect(trialMetricValue(peak, { name: 'acc', goal: 'minimize' })).toBe(0.5);
    expect(trialMetricValue(peak, { name: 'loss', goal: 'minimize' })).toBe(0.7);
    expect(trialMetricValue(peak, null)).toBe(0.7);
  });
});

describe('non-finite values never rank as best', () => {
  const inf = Number.POSITIVE_INFINITY;
  it('isBetter: only a finite value beats anything; -Infinity does not win a minimize, +Infinity not a maximize', () => {
    expect(isBetter(-inf, 0.5, 'minimize')).toBe(false);
    expect(isBetter(inf, 0.5, 'maximize')).toBe(false);
    expect(isBetter(0.5, -inf, 'minimize')).toBe(true);
    expect(isBetter(0.5, Number.NaN, 'maximize')).toBe(true);
    expect(isBetter(-inf, null, 'minimize')).toBe(false);
  });

  it('compareByGoal: finite by goal, then non-finite, then no value', () => {
    const values = [null, -inf, 0.2, Number.NaN, 0.1, inf];
    const minimize = [...values].sort(compareByGoal('minimize'));
    expect(minimize.slice(0, 2)).toEqual([0.1, 0.2]);
    expect(minimize.slice(2, 5).every((v) => v !== null && !Number.isFinite(v))).toBe(true);
    expect(minimize[5]).toBeNull();
    expect([...values].sort(compareByGoal('maximize')).slice(0, 2)).toEqual([0.2, 0.1]);
  });

  it('reachesTarget: a non-finite value never ends the sweep', () => {
    expect(reachesTarget(-inf, 0.1, 'minimize')).toBe(false);
    expect(reachesTarget(inf, 0.9, 'maximize')).toBe(false);
    expect(reachesTarget(0.05, 0.1, 'minimize')).toBe(true);
  });
});
