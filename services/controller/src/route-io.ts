import type { ReplyOf, RouteSpec } from '@hyperfleet/contract';
import type { Response } from 'express';
import type { z } from 'zod';
import { ApiError } from './api-error';

/** Parses a body or query with its contract schema; 422 with every issue (path + message) when it does not fit. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: 'body' | 'query'): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  throw new ApiError(422, what === 'body' ? 'INVALID_BODY' : 'INVALID_QUERY', `invalid request ${what}`, {
    hint: 'see `issues` for each problem; the API is described in services/controller/API.md',
    details: { issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) },
  });
}

/** Answers with the route's response body, typed by the contract (clients parse it with the same schema). */
export function reply<R extends RouteSpec>(res: Response, _route: R, body: ReplyOf<R>, status = 200): void {
  res.status(status).json(body);
}
