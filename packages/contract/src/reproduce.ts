import { z } from 'zod';
import { sweepRecord, trialRecord } from './records';
import { defineRoute } from './route';
import { id } from './wire';

export const reproduceBody = z.strictObject({
  /** Run it on agents of this pool instead of the original's. */
  pool: id.optional(),
});

export const reproduceRoutes = {
  /** A new one-trial sweep running the trial again with its pins; 422 NOT_REPRODUCIBLE, MISSING_BLOB. */
  start: defineRoute({
    method: 'POST',
    path: '/api/trials/:id/reproduce',
    body: reproduceBody,
    response: z.object({ sweep: sweepRecord, trial: trialRecord, of: z.string(), dashboardUrl: z.string() }),
  }),
};
