import { z } from 'zod';

/**
 * Every error answer: `{error: {code, message, hint?, ...details}}` (details such as `issues` vary by code).
 * Loose on purpose: a client reads what it knows from an error and never refuses one.
 */
export const errorBody = z.object({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    issues: z.array(z.unknown()).optional(),
  }),
});
export type ErrorBody = z.output<typeof errorBody>;

/** One problem of a 422 INVALID_BODY / INVALID_QUERY answer. */
export const inputIssue = z.object({ path: z.string(), message: z.string() });
export type InputIssue = z.output<typeof inputIssue>;

/** The error of an answer, or null when the body is not one (a proxy's HTML page, an empty body). */
export function readErrorBody(body: unknown): ErrorBody['error'] | null {
  const parsed = errorBody.safeParse(body);
  return parsed.success ? parsed.data.error : null;
}
