import { CliError, EXIT } from '../cli-error';

export interface ServerOptions {
  server?: string;
  token?: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:7070';

/** An API error as the controller sends it (API.md): a stable code, a message, a hint. */
interface ErrorBody {
  error?: { code?: string; message?: string; hint?: string; issues?: unknown[] };
}

/** Thin client for the controller's HTTP API: bearer token, JSON, errors that say what to do. */
export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(opts: ServerOptions) {
    this.baseUrl = (opts.server ?? process.env.HYPERFLEET_SERVER ?? DEFAULT_SERVER).replace(/\/+$/, '');
    this.token = opts.token ?? process.env.HYPERFLEET_TOKEN;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** Uploads a content-addressed blob (a pinned diff, a git bundle) as raw bytes; the server checks the hash. */
  async putBlob(hash: string, bytes: Buffer): Promise<void> {
    await this.request('PUT', `/api/blobs/${encodeURIComponent(hash)}`, bytes);
  }

  /** `body`: JSON, or raw bytes (sent as application/octet-stream). */
  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
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
    if (res.ok) return parsed as T;
    const error = (parsed as ErrorBody | undefined)?.error;
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
    throw new ApiError(
      res.status,
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? (text.slice(0, 500) || res.statusText),
      error?.hint ?? null,
      error?.issues,
    );
  }
}

export class ApiError extends CliError {
  override readonly name = 'CliError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    hint: string | null,
    readonly issues: unknown[] | undefined,
  ) {
    super(message, hint, status === 422 || status === 400 ? EXIT.usage : EXIT.failure);
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
