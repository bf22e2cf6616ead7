import { HyperfleetError } from '@hyperfleet/domain';
import type { z } from 'zod';
import { type ResponseOf, type RouteSpec, routeName } from './route';

export const UNEXPECTED_RESPONSE = 'UNEXPECTED_RESPONSE';

/** A success answer whose body does not fit the route's response schema: the server speaks another version. */
export class UnexpectedResponseError extends HyperfleetError {
  override name = 'UnexpectedResponseError';

  constructor(
    readonly route: string,
    /** Each mismatch as `field.path: what is wrong`. */
    readonly problems: string[],
  ) {
    super(UNEXPECTED_RESPONSE, `${route} answered with an unexpected body: ${problems.join('; ')}`, {
      hint: 'is the server the same hyperfleet version as this client?',
    });
  }
}

/** `sweep.status: Invalid option: expected one of …` for each issue (at most 5), `(body)` for the root. */
export function describeIssues(error: z.ZodError, max = 5): string[] {
  const lines = error.issues.slice(0, max).map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
  if (error.issues.length > max) lines.push(`and ${error.issues.length - max} more`);
  return lines;
}

/** The parsed success body of `route`; UnexpectedResponseError naming the route and the fields when it does not fit. */
export function parseResponse<R extends RouteSpec>(route: R, body: unknown): ResponseOf<R> {
  const parsed = route.response.safeParse(body);
  if (parsed.success) return parsed.data as ResponseOf<R>;
  throw new UnexpectedResponseError(routeName(route), describeIssues(parsed.error));
}
