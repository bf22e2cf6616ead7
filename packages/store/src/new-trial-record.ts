import type { TrialRecord } from './tracking-store';

/** What a trial is created with; everything else starts blank. */
export type NewTrialFields = Pick<
  TrialRecord,
  'id' | 'sweepId' | 'index' | 'params' | 'seed' | 'command' | 'createdAt'
>;

/** The fields of a trial that has not run (yet, or again): no start, no end, no result. */
export const NOT_STARTED = {
  startedAt: null,
  endedAt: null,
  exitCode: null,
  signal: null,
  reason: null,
  metricValue: null,
} as const satisfies Partial<TrialRecord>;

/** A trial as it is first written: queued, never started, no result, no attempt yet. */
export function newTrialRecord(fields: NewTrialFields): TrialRecord {
  return { ...fields, ...NOT_STARTED, status: 'queued', attempts: 0 };
}
