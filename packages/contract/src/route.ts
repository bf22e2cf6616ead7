import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT';

/** One route of the API: where it is, what it takes (body, query) and what it answers on success. */
export interface RouteSpec {
  method: HttpMethod;
  /** Express syntax: `:name` marks a path parameter. */
  path: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response: z.ZodType;
}

export function defineRoute<const R extends RouteSpec>(route: R): R {
  return route;
}

/** `{id: string}` for `/api/sweeps/:id`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name | keyof PathParams<`/${Rest}`>]: string }
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;

export type ParamsOf<R extends RouteSpec> = PathParams<R['path']>;
/** What a client sends (before defaults and transforms). */
export type BodyOf<R extends RouteSpec> = R['body'] extends z.ZodType ? z.input<R['body']> : never;
export type QueryOf<R extends RouteSpec> = R['query'] extends z.ZodType ? z.input<R['query']> : never;
/** What the server hands to `res.json` (numbers may still be NaN/±Infinity; the JSON replacer names them). */
export type ReplyOf<R extends RouteSpec> = z.input<R['response']>;
/** What a client has after parsing the answer. */
export type ResponseOf<R extends RouteSpec> = z.output<R['response']>;

/** `route.method route.path`, as messages name a route. */
export function routeName(route: RouteSpec): string {
  return `${route.method} ${route.path}`;
}

/** The path with its parameters filled in (URI-encoded) and the query appended (undefined values left out). */
export function pathOf<R extends RouteSpec>(
  route: R,
  params: ParamsOf<R>,
  query?: Record<string, string | number | boolean | undefined>,
): string {
  const values = params as Record<string, string>;
  const path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${routeName(route)}: no value for :${name}`);
    return encodeURIComponent(value);
  });
  const entries = Object.entries(query ?? {}).filter(
    (e): e is [string, string | number | boolean] => e[1] !== undefined,
  );
  return entries.length === 0
    ? path
    : `${path}?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)]))}`;
}
