import { z } from 'zod';
import { submittedPins } from './pins';
import { sweepRecord, trialCounts, trialRecord } from './records';
import { defineRoute } from './route';
import { id, queryFlag, wireNumber } from './wire';

export const submitSweepBody = z.strictObject({
  /** The sweep config object, validated by the server with `validateSweepConfig` (422 CONFIG_INVALID). */
  config: z.unknown(),
  cwd: z.string().min(1).max(4096),
  pool: id.optional(),
  name: z.string().min(1).max(200).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  count: z.number().int().min(1).max(1_000_000).optional(),
  parallel: z.number().int().min(1).max(100_000).optional(),
  pins: submittedPins.optional(),
});

/** `force`: submit even when no agent has registered the pool yet. */
export const submitSweepQuery = z.object({ force: queryFlag.optional() });
export const listSweepsQuery = z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(100) });

/** A sweep in the list: the record plus its trial counts and best trial by the sweep metric. */
export const sweepSummary = sweepRecord.extend({
  counts: trialCounts,
  best: z.object({ trialId: z.string(), value: wireNumber }).nullable(),
});

export const SWEEP_ACTIONS = ['pause', 'resume', 'stop', 'cancel', 'retry-failed'] as const;
export type SweepAction = (typeof SWEEP_ACTIONS)[number];

export const sweepRoutes = {
  submit: defineRoute({
    method: 'POST',
    path: '/api/sweeps',
    body: submitSweepBody,
    query: submitSweepQuery,
    response: z.object({ sweep: sweepRecord, dashboardUrl: z.string() }),
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/sweeps',
    query: listSweepsQuery,
    response: z.object({ sweeps: z.array(sweepSummary) }),
  }),
  /** `:id` is the id or a unique prefix; trials ranked by the sweep metric. */
  get: defineRoute({
    method: 'GET',
    path: '/api/sweeps/:id',
    response: z.object({ sweep: sweepRecord, counts: trialCounts, trials: z.array(trialRecord) }),
  }),
  /** 200 `{sweep}` when applied; 202 `{sweep, pending: true}` when handed to the replica that runs the sweep. */
  control: defineRoute({
    method: 'POST',
    path: '/api/sweeps/:id/:action',
    response: z.object({ sweep: sweepRecord, pending: z.boolean().optional() }),
  }),
};
