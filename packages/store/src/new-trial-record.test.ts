import { describe, expect, it } from 'vitest';
import { newTrialRecord } from './new-trial-record';

describe('newTrialRecord', () => {
  it('is queued, never started, with no result and no attempt yet', () => {
    const fields = { id: 's-0', sweepId: 's', index: 0, params: { lr: 0.1 }, seed: 7, command: ['x'], createdAt: 5 };
    expect(newTrialRecord(fields)).toEqual({
      ...fields,
      status: 'queued',
      startedAt: null,
      endedAt: null,
      exitCode: null,
      signal: null,
      reason: null,
      metricValue: null,
      attempts: 0,
    });
  });
});
