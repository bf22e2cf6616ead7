import { z } from 'zod';
import { attemptRecord, metricPoint, metricSummary, trialLineage, trialRecord } from './records';
import { defineRoute } from './route';

export const metricsQuery = z.object({
  key: z.string().min(1).max(500).optional(),
  maxPoints: z.coerce.number().int().min(2).max(1_000_000).optional(),
});

/** Long-poll: answers as soon as there is output, or after `wait` ms. */
export const logsQuery = z.object({
  cursor: z.string().max(200).default('0'),
  wait: z.coerce.number().int().min(0).max(30_000).default(0),
});

export const trialRoutes = {
  get: defineRoute({
    method: 'GET',
    path: '/api/trials/:id',
    response: z.object({ trial: trialRecord, attempts: z.array(attemptRecord), summaries: z.array(metricSummary) }),
  }),
  /**
   * 409 TRIAL_ENDED when the trial has already ended. `pending`: handed to the replica running the sweep (202);
   * an embedded dashboard, which runs the sweep itself, leaves it out.
   */
  stop: defineRoute({
    method: 'POST',
    path: '/api/trials/:id/stop',
    response: z.object({ trial: trialRecord.nullable(), pending: z.boolean().optional() }),
  }),
  /** 404 when the trial's sweep was submitted without pins. */
  lineage: defineRoute({
    method: 'GET',
    path: '/api/trials/:id/lineage',
    response: z.object({ lineage: trialLineage }),
  }),
  metrics: defineRoute({
    method: 'GET',
    path: '/api/trials/:id/metrics',
    query: metricsQuery,
    response: z.object({ points: z.array(metricPoint) }),
  }),
  logs: defineRoute({
    method: 'GET',
    path: '/api/trials/:id/logs',
    query: logsQuery,
    response: z.object({ chunks: z.array(z.string()), cursor: z.string() }),
  }),
};
