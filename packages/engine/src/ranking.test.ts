import type { MetricSummary } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { bestOf, trialMetricValue } from './ranking';

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
