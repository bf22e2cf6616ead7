import { DROP_REASONS, type DropReason, GOALS, SWEEP_STATUSES, TRIAL_STATUSES } from '@hyperfleet/domain';
import { z } from 'zod';
import { codePin, dataPin, envFingerprint } from './pins';
import { timestamp, wireNumber } from './wire';

/** The store's records as the API sends them (non-finite metric values as their names, see `wireNumber`). */

export const trialStatus = z.enum(TRIAL_STATUSES);
export const sweepStatus = z.enum(SWEEP_STATUSES);
export const goal = z.enum(GOALS);
/** Params as the sweep config nests them (domain's Params). */
export const params = z.record(z.string(), z.json());

export const sweepRecord = z.object({
  id: z.string(),
  name: z.string().nullable(),
  status: sweepStatus,
  method: z.string(),
  metricName: z.string().nullable(),
  goal,
  config: z.unknown(),
  seed: z.number().int(),
  createdAt: timestamp,
  finishedAt: timestamp.nullable(),
  reason: z.string().nullable(),
  /** Tokens hold roles per project; `default` when the config names none. */
  project: z.string(),
});

export const trialRecord = z.object({
  id: z.string(),
  sweepId: z.string(),
  index: z.number().int().min(0),
  status: trialStatus,
  params,
  seed: z.number().int(),
  command: z.array(z.string()).nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  endedAt: timestamp.nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  reason: z.string().nullable(),
  metricValue: wireNumber.nullable(),
  attempts: z.number().int().min(0),
  /** Metric points the ingest dropped, per reason (domain's DROP_REASONS); absent when none was. */
  droppedPoints: z
    .partialRecord(z.enum(Object.keys(DROP_REASONS) as [DropReason, ...DropReason[]]), z.number().int().min(0))
    .optional(),
});

export const attemptRecord = z.object({
  trialId: z.string(),
  attempt: z.number().int().min(1),
  worker: z.string().nullable(),
  status: trialStatus,
  startedAt: timestamp,
  endedAt: timestamp.nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  reason: z.string().nullable(),
});

export const metricPoint = z.object({
  trialId: z.string(),
  key: z.string(),
  step: z.number().int(),
  value: wireNumber,
  timestamp,
});

export const metricSummary = z.object({
  trialId: z.string(),
  key: z.string(),
  last: wireNumber,
  lastStep: z.number().int(),
  min: wireNumber,
  max: wireNumber,
  minStep: z.number().int(),
  maxStep: z.number().int(),
  count: z.number().int().min(0),
});

/** Trials of a sweep per status. */
export const trialCounts = z.record(trialStatus, z.number().int().min(0));

/** lineage's TrialLineage: everything a trial was pinned to when it was dispatched. */
export const trialLineage = z.object({
  trialId: z.string(),
  sweepId: z.string(),
  identity: z.string(),
  code: codePin.nullable(),
  data: z.array(dataPin),
  env: envFingerprint.nullable(),
  params: z.unknown(),
  seed: z.number().int(),
  command: z.array(z.string()),
  actor: z.string().nullable(),
  createdAt: timestamp,
});
