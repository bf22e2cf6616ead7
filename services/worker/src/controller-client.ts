import { abortableSleep } from '@hyperfleet/agent-core';
import {
  type AgentStatus,
  type HeartbeatBody,
  parseResponse,
  pathOf,
  type RegisterBody,
  type Registration as RegistrationBody,
  readErrorBody,
  routes,
  UnexpectedResponseError,
} from '@hyperfleet/contract';
import { HyperfleetError } from '@hyperfleet/domain';
import { AGENT_ERROR_CODES, AgentError } from './agent-error';

export type { AgentStatus, HeartbeatBody, RegisterBody };

/** What the controller hands an agent at registration, with the Redis URL an agent needs to take jobs. */
export type Registration = RegistrationBody & { redisUrl: string };

export interface ControllerClientOptions {
  serverUrl: string;
  token: string;
  requestTimeoutMs?: number;
}

export const CONTROLLER_UNAVAILABLE = 'CONTROLLER_UNAVAILABLE';

/** Thrown for failures worth retrying (network, 5xx, timeouts). */
export class RetryableError extends HyperfleetError {
  override name = 'RetryableError';

  constructor(message: string) {
    super(CONTROLLER_UNAVAILABLE, message);
  }
}

/** The agent routes of the controller API and blob downloads; the token goes only into the Authorization header. */
export class ControllerClient {
  readonly serverUrl: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor(opts: ControllerClientOptions) {
    this.serverUrl = normalizeServerUrl(opts.serverUrl);
    this.token = opts.token;
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
  }

  /** One attempt. Rejects with AgentError (not worth retrying) or RetryableError. */
  async register(body: RegisterBody): Promise<Registration> {
    const route = routes.agents.register;
    const { status, json } = await this.post(pathOf(route, {}), body);
    if (status < 200 || status >= 300) throw this.failure(status, json, 'registration');
    let registration: RegistrationBody;
    try {
      registration = parseResponse(route, json);
    } catch (error) {
      if (!(error instanceof UnexpectedResponseError)) throw error;
      throw new AgentError(
        AGENT_ERROR_CODES.registrationRejected,
        `${this.serverUrl} answered the registration with an unexpected body (${error.problems.join('; ')})`,
        { hint: 'is --server the hyperfleet controller (same version as this agent)?' },
      );
    }
    const { redisUrl } = registration;
    if (redisUrl === null) {
      throw new AgentError(
        AGENT_ERROR_CODES.registrationRejected,
        `${this.serverUrl} has no queue to hand out (it runs without --redis)`,
        { hint: 'start the server with --redis <url> so agents can take trials from its queue' },
      );
    }
    return { ...registration, redisUrl };
  }

  /** 'unknown-agent' when the controller forgot us (restart, TTL): the caller registers again. */
  async heartbeat(agentId: string, body: HeartbeatBody): Promise<'ok' | 'unknown-agent'> {
    const route = routes.agents.heartbeat;
    const { status, json } = await this.post(pathOf(route, { id: agentId }), body);
    if (status >= 200 && status < 300) {
      parseResponse(route, json);
      return 'ok';
    }
    if (status === 404) return 'unknown-agent';
    throw this.failure(status, json, 'heartbeat');
  }

  /** A content-addressed blob (a pinned diff, a git bundle) as raw bytes; null when the server has none. */
  async getBlob(hash: string): Promise<Buffer | null> {
    let response: Response;
    try {
      response = await fetch(`${this.serverUrl}${pathOf(routes.blobs.get, { hash })}`, {
        headers: { authorization: `Bearer ${this.token}` },
        // Bundles can be large: a generous bound, still finite so a dead server cannot hang a slot.
        signal: AbortSignal.timeout(Math.max(this.timeoutMs, 300_000)),
      });
    } catch (error) {
      throw new RetryableError(`cannot reach the hyperfleet server at ${this.serverUrl}: ${describeFetchError(error)}`);
    }
    if (response.status === 404) return null;
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: the status says enough
      }
      throw this.failure(response.status, json, `blob ${hash}`);
    }
    return Buffer.from(await response.arrayBuffer());
  }

  private failure(status: number, json: unknown, what: string): Error {
    const server = serverError(json);
    const body = readErrorBody(json);
    if (status === 403 && body?.code === AGENT_ERROR_CODES.revoked) {
      return new AgentError(AGENT_ERROR_CODES.revoked, `${this.serverUrl} refused the ${what}: ${body.message}`, {
        ...(body.hint === undefined ? {} : { hint: body.hint }),
      });
    }
    if (status === 401 || status === 403) {
      const detail = status === 403 ? ' (it lacks the worker role)' : '';
      return new AgentError(
        AGENT_ERROR_CODES.tokenRefused,
        `the server refused the token${detail}: check --token / HYPERFLEET_TOKEN`,
        {
          hint: `${this.serverUrl} answered ${status}${server ? `: ${server}` : ''}; the agent needs a token with role worker`,
        },
      );
    }
    if (status >= 500 || status === 429 || status === 408) {
      return new RetryableError(`${this.serverUrl} answered the ${what} with ${status}${server ? `: ${server}` : ''}`);
    }
    return new AgentError(
      AGENT_ERROR_CODES.registrationRejected,
      `${this.serverUrl} rejected the ${what} (${status})${server ? `: ${server}` : ''}`,
      { hint: 'check the agent flags (--pool, --slots) and that the agent and server versions match' },
    );
  }

  private async post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.serverUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new RetryableError(`cannot reach the hyperfleet server at ${this.serverUrl}: ${describeFetchError(error)}`);
    }
    const text = await response.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: response.status, json };
  }
}

export function normalizeServerUrl(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new AgentError(AGENT_ERROR_CODES.badOptions, `--server is not a URL: "${serverUrl}"`, {
      hint: 'e.g. --server http://controller-host:7070',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AgentError(AGENT_ERROR_CODES.badOptions, `--server must be http:// or https://, got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new AgentError(AGENT_ERROR_CODES.badOptions, '--server must not carry credentials; pass --token instead');
  }
  return url.toString().replace(/\/+$/, '');
}

function serverError(json: unknown): string | null {
  const error = readErrorBody(json);
  if (!error) return null;
  return [error.code, error.message].filter(Boolean).join(' ') || null;
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no answer in time';
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return code ? `${code} (${cause.message})` : cause.message;
    }
    return error.message;
  }
  return String(error);
}

export interface RetryOptions {
  /** Give up after this long (the start-up bound). */
  maxWaitMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (message: string, delayMs: number) => void;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Registers, retrying network errors and 5xx with exponential backoff up to `maxWaitMs`. */
export async function registerWithRetry(
  client: ControllerClient,
  body: RegisterBody,
  opts: RetryOptions,
): Promise<Registration> {
  const sleep = opts.sleep ?? abortableSleep;
  const deadline = Date.now() + opts.maxWaitMs;
  let delay = opts.initialDelayMs ?? 500;
  for (;;) {
    try {
      return await client.register(body);
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      const left = deadline - Date.now();
      if (left <= 0 || opts.signal?.aborted) {
        throw new AgentError(AGENT_ERROR_CODES.serverUnreachable, error.message, {
          hint: `gave up after ${Math.round(opts.maxWaitMs / 1000)} s; check --server and that the controller is running and reachable from this machine`,
        });
      }
      const wait = Math.min(delay, left);
      opts.onRetry?.(error.message, wait);
      await sleep(wait, opts.signal);
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 10_000);
    }
  }
}
