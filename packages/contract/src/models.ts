import { z } from 'zod';
import { defineRoute } from './route';
import { timestamp } from './wire';

export const modelInfo = z.object({
  name: z.string(),
  project: z.string(),
  createdAt: timestamp,
  createdBy: z.string().nullable(),
  latest: z.number().int().nullable(),
  aliases: z.record(z.string(), z.number().int()),
});

const artifact = z.object({ hash: z.string().min(1).max(200), size: z.number().int().min(0), uri: z.string().min(1) });

export const modelVersion = z.object({
  name: z.string(),
  version: z.number().int(),
  trialId: z.string(),
  artifact,
  tags: z.record(z.string(), z.unknown()),
  aliases: z.array(z.string()),
  createdAt: timestamp,
  createdBy: z.string().nullable(),
  deletedAt: timestamp.nullable(),
  deletedBy: z.string().nullable(),
});

export const auditEvent = z.object({
  id: z.number().int().optional(),
  at: timestamp,
  sweepId: z.string().nullable(),
  trialId: z.string().nullable(),
  type: z.string(),
  actor: z.string().nullable(),
  data: z.unknown(),
  project: z.string().nullable().optional(),
});

export const registerModelBody = z.strictObject({
  trialId: z.string().min(1).max(300),
  artifact,
  aliases: z.array(z.string().min(1).max(128)).max(20).optional(),
});

export const auditQuery = z.object({
  model: z.string().min(1).max(128).optional(),
  sweep: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** The model registry and the audit log, by project role (read to list, submit to register, promote, admin). */
export const modelRoutes = {
  list: defineRoute({ method: 'GET', path: '/api/models', response: z.object({ models: z.array(modelInfo) }) }),
  versions: defineRoute({
    method: 'GET',
    path: '/api/models/:name/versions',
    response: z.object({ versions: z.array(modelVersion) }),
  }),
  /** `:ref` is NAME, NAME@3, NAME@v3 or NAME@alias. */
  resolve: defineRoute({
    method: 'GET',
    path: '/api/models/:ref/resolve',
    response: z.object({ version: modelVersion }),
  }),
  /** submit on the trial's project; the model takes the trial's project (409 when it already has another). */
  register: defineRoute({
    method: 'POST',
    path: '/api/models/:name/versions',
    body: registerModelBody,
    response: z.object({ version: modelVersion }),
  }),
  /** submit moves an alias; `production` needs promote. */
  setAlias: defineRoute({
    method: 'POST',
    path: '/api/models/:name/aliases/:alias',
    body: z.strictObject({ version: z.number().int().min(1) }),
    response: z.object({ ok: z.literal(true) }),
  }),
  /** admin of the model's project; soft (kept in the audit log). */
  deleteVersion: defineRoute({
    method: 'POST',
    path: '/api/models/:name/versions/:version/delete',
    response: z.object({ ok: z.literal(true) }),
  }),
  /** Events someone did (submit, pause, stop, register, promote, tokens…) in the projects the caller reads. */
  audit: defineRoute({
    method: 'GET',
    path: '/api/audit',
    query: auditQuery,
    response: z.object({ events: z.array(auditEvent) }),
  }),
};
