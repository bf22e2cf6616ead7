import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';

/** Deeper JSON than any request of the API needs; validators and the store recurse, so this bounds their stack. */
export const MAX_JSON_DEPTH = 64;

// NUL and the other C0 controls: Postgres text refuses NUL, and no id, name or hash of ours holds any of them.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses a path that is not valid percent-encoded UTF-8 (`%zz`, `%ED%A0%80`) or that decodes to control
 * characters (`%00`), and a query value holding a NUL, before any route hands them to the store: 400, never
 * the store's 500.
 */
export function guardPath(req: Request, _res: Response, next: NextFunction): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.path);
  } catch {
    throw new ApiError(400, 'BAD_PATH', 'the path is not valid percent-encoded UTF-8', {
      hint: 'percent-encode ids as UTF-8 (encodeURIComponent); ids are printable text',
    });
  }
  if (CONTROL.test(decoded)) {
    throw new ApiError(400, 'BAD_PATH', 'the path holds a control character (such as %00)', {
      hint: 'ids are printable text: check the id you pass',
    });
  }
  const query = jsonProblem(req.query);
  if (query) {
    throw new ApiError(400, 'BAD_QUERY', `the query string ${query}`, {
      hint: 'query values (metric keys, cursors, limits) are printable text',
    });
  }
  next();
}

/**
 * Refuses a parsed JSON body nested deeper than `MAX_JSON_DEPTH` or holding a NUL in a string or key (Postgres
 * cannot keep one): 400 with the reason. Iterative, so a 5,000-deep body cannot overflow the stack here.
 */
export function guardJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const problem = jsonProblem(req.body);
  if (problem) {
    throw new ApiError(400, 'BAD_JSON', `the request body ${problem}`, {
      hint: `send plain JSON: nested at most ${MAX_JSON_DEPTH} levels, strings without NUL characters`,
    });
  }
  next();
}

/** What is wrong with a parsed JSON value, or null. */
export function jsonProblem(value: unknown): string | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'holds a NUL character in a string';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `is nested deeper than ${MAX_JSON_DEPTH} levels`;
    if (Array.isArray(v)) {
      for (const item of v) stack.push([item, depth + 1]);
      continue;
    }
    for (const [key, item] of Object.entries(v)) {
      if (key.includes('\u0000')) return 'holds a NUL character in a key';
      stack.push([item, depth + 1]);
    }
  }
  return null;
}
