import type { TrialRecord } from './tracking-store';

/** What a trial is created with; everything else starts blank. */
export type NewTrialFields = Pick<
  TrialRecord,
  'id' | 'sweepId' | 'index' | 'params' | 'seed' | 'command' | 'createdAt'
>;

/** A trial as it is first written: queued, never started, no result, no attempt yet. */
export function newTrialRecord(fields: NewTrialFields): TrialRecord {
  return {
    ...fields,
    status: 'queued',
    startedAt: null,
    endedAt: null,
    exitCode: null,
    signal: null,
    reason: null,
    metricValue: null,
    attempts: 0,
  };
}
