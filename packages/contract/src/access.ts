import { z } from 'zod';
import { defineRoute } from './route';
import { timestamp } from './wire';

/** Roles on a project, each including the ones before it (see services/controller/src/principal.ts). */
export const projectRole = z.enum(['read', 'submit', 'promote', 'admin']);
/** What a stored token may hold: a role on a project, or `worker` (an agent's fleet role, on `*` only). */
export const tokenRole = z.enum([...projectRole.options, 'worker']);
/** A project name, or `*` for every project. */
export const projectName = z
  .string()
  .regex(/^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/, 'a project name (letters, digits, . _ -) or *');

/** What `GET /api/me` says about the caller: the dashboard hides what the token cannot do. */
export const me = z.object({
  name: z.string(),
  /** Role per project; `*`: every project. */
  projects: z.record(z.string(), projectRole),
  worker: z.boolean(),
  /** false: the server runs without tokens (embedded), everyone is admin. */
  auth: z.boolean(),
});

/** A stored token as listed: never its secret nor its hash. */
export const tokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  project: z.string(),
  role: tokenRole,
  createdAt: timestamp,
  createdBy: z.string().nullable(),
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  revokedBy: z.string().nullable(),
});

export const createTokenBody = z.strictObject({
  project: projectName,
  role: tokenRole,
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'letters, digits, . _ @ - (up to 100)')
    .optional(),
  /** Lifetime in seconds; absent: until revoked. */
  expiresInSeconds: z
    .number()
    .int()
    .min(1)
    .max(10 * 365 * 86_400)
    .optional(),
});

export const accessRoutes = {
  me: defineRoute({ method: 'GET', path: '/api/me', response: me }),
  /** Admin of the project (or of every project for `*`). The secret is in this answer only. */
  createToken: defineRoute({
    method: 'POST',
    path: '/api/tokens',
    body: createTokenBody,
    response: z.object({ token: z.string(), info: tokenInfo }),
  }),
  /** The tokens of the projects the caller administers. */
  listTokens: defineRoute({ method: 'GET', path: '/api/tokens', response: z.object({ tokens: z.array(tokenInfo) }) }),
  /** `:id` is the id or the name. */
  revokeToken: defineRoute({
    method: 'POST',
    path: '/api/tokens/:id/revoke',
    response: z.object({ info: tokenInfo }),
  }),
};
