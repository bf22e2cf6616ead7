import {
  type BodyOf,
  type ParamsOf,
  parseResponse,
  pathOf,
  type QueryOf,
  type ResponseOf,
  type RouteSpec,
  readErrorBody,
  routes,
} from '@hyperfleet/contract';
import { CliError, EXIT } from '../cli-error';

export interface ServerOptions {
  server?: string;
  token?: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:7070';

/** What a route takes besides its path parameters. */
export interface CallInput<R extends RouteSpec> {
  body?: BodyOf<R>;
  query?: QueryOf<R> & Record<string, string | number | boolean | undefined>;
}

/**
 * Thin client for the controller's HTTP API (@hyperfleet/contract): bearer token, JSON, answers parsed with the
 * route's response schema, errors that say what to do.
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(opts: ServerOptions) {
    this.baseUrl = (opts.server ?? process.env.HYPERFLEET_SERVER ?? DEFAULT_SERVER).replace(/\/+$/, '');
    this.token = opts.token ?? process.env.HYPERFLEET_TOKEN;
  }

  /** `api.call(routes.sweeps.get, {id})`: the parsed answer, or UnexpectedResponseError naming the route and field. */
  async call<R extends RouteSpec>(route: R, params: ParamsOf<R>, input: CallInput<R> = {}): Promise<ResponseOf<R>> {
    const body = route.method === 'GET' ? undefined : (input.body ?? {});
    const json = await this.request(route.method, pathOf(route, params, input.query), body);
    return parseResponse(route, json);
  }

  /** Uploads a content-addressed blob (a pinned diff, a git bundle) as raw bytes; the server checks the hash. */
  async putBlob(hash: string, bytes: Buffer): Promise<void> {
    parseResponse(routes.blobs.put, await this.request('PUT', pathOf(routes.blobs.put, { hash }), bytes));
  }

  /** `body`: JSON, or raw bytes (sent as application/octet-stream). */
  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const raw = Buffer.isBuffer(body);
    if (body !== undefined) headers['content-type'] = raw ? 'application/octet-stream' : 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? new Uint8Array(body) : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the hyperfleet server at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        'start it with `hyperfleet server`, or point --server / HYPERFLEET_SERVER at it',
        EXIT.failure,
      );
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (res.ok) return parsed;
    const error = readErrorBody(parsed);
    if (res.status === 401) {
      throw new CliError(
        `the server at ${this.baseUrl} refused the token${error?.message ? `: ${error.message}` : ''}`,
        'check --token / HYPERFLEET_TOKEN',
        EXIT.failure,
      );
    }
    if (res.status === 403) {
      throw new CliError(
        error?.message ?? 'this token may not do that',
        error?.hint ?? 'use a token with the needed role',
        EXIT.failure,
      );
    }
    throw new ServerRequestError(
      res.status,
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? (text.slice(0, 500) || res.statusText),
      error?.hint,
      error?.issues,
    );
  }
}

/** The server refused a request: its HTTP status, the API's stable code, message and hint. */
export class ServerRequestError extends CliError {
  override name = 'ServerRequestError';

  constructor(
    readonly status: number,
    code: string,
    message: string,
    hint: string | undefined,
    readonly issues: unknown[] | undefined,
  ) {
    super(message, hint, status === 422 || status === 400 ? EXIT.usage : EXIT.failure, code);
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
