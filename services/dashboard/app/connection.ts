import type { DashboardClientEvents, DashboardServerEvents } from '@hyperfleet/domain';
import { HyperfleetError } from '@hyperfleet/domain/errors';
import { io, type Socket } from 'socket.io-client';

export type DashSocket = Socket<DashboardServerEvents, DashboardClientEvents>;

type Handlers = { [E in keyof DashboardServerEvents]?: DashboardServerEvents[E] } & { connect?: () => void };

/**
 * Subscribes a page to socket events; `connect` also runs now when already connected (a (re)connect re-joins,
 * and the new snapshot heals any volatile batch dropped while away). Returns the unsubscribe.
 */
export function listen(socket: DashSocket, handlers: Handlers): () => void {
  const entries = Object.entries(handlers) as [string, (...args: unknown[]) => void][];
  const target = socket as unknown as {
    on(e: string, f: (...args: unknown[]) => void): void;
    off(e: string, f: (...args: unknown[]) => void): void;
  };
  for (const [event, handler] of entries) target.on(event, handler);
  if (socket.connected) handlers.connect?.();
  return () => {
    for (const [event, handler] of entries) target.off(event, handler);
  };
}

const TOKEN_KEY = 'hyperfleet.token';

/**
 * The token arrives once as `?token=` (the link `sweep submit` prints); it moves to sessionStorage and
 * leaves the address bar at once, so shared URLs and the history never carry it. Embedded mode needs none.
 */
export function takeToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

let socket: DashSocket | null = null;
let ended: () => boolean = () => false;

/**
 * The page says whether what it shows has ended (a finished sweep). If the server then goes away — the
 * embedded dashboard stops with its run — the client stops retrying instead of failing a connection every
 * few seconds, and says so.
 */
export function setEndedCheck(check: () => boolean): () => void {
  ended = check;
  return () => {
    if (ended === check) ended = () => false;
  };
}

export function shownHasEnded(): boolean {
  return ended();
}
let token: string | null = null;

export function connect(): DashSocket {
  if (socket) return socket;
  token = takeToken();
  // WebSocket first (no long-poll round trips before the snapshot); HTTP long-polling where a proxy blocks it.
  socket = io(location.origin, {
    auth: token ? { token } : {},
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
  });
  return socket;
}

type AckData<E extends keyof DashboardClientEvents> =
  Parameters<DashboardClientEvents[E]> extends [...unknown[], (r: infer R) => void]
    ? R extends { ok: true; data: infer D }
      ? D
      : never
    : never;

/** A socket request the server refused (its ack's error code) or never answered. */
export class RequestError extends HyperfleetError {
  override name = 'RequestError';
}

/** Emits a request event and resolves with its ack's data (rejects on an error ack or after `timeoutMs`). */
export function request<E extends 'sweeps:watch' | 'sweep:join' | 'trial:join'>(
  s: DashSocket,
  event: E,
  ...args: E extends 'sweeps:watch' ? [] : [Parameters<DashboardClientEvents[E]>[0]]
): Promise<AckData<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new RequestError('TIMEOUT', `${event}: no answer in 15 s`)), 15_000);
    const ack = (r: { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } }) => {
      clearTimeout(timer);
      if (r.ok) resolve(r.data as AckData<E>);
      else reject(new RequestError(r.error.code, r.error.message));
    };
    // The event map's overloads are per event; the generic emit cannot see which, hence the cast.
    (s.emit as (ev: string, ...a: unknown[]) => void)(event, ...args, ack);
  });
}

/** An HTTP API call answered with an error status; `code` and `hint` come from the error body. */
export class ApiCallError extends HyperfleetError {
  override name = 'ApiCallError';
  constructor(
    readonly status: number,
    code: string,
    message: string,
    hint?: string,
  ) {
    super(code, message, hint === undefined ? {} : { hint });
  }
}

/** The socket's token as the HTTP API's `Authorization: Bearer` header (none without a token). */
export function authHeaders(): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** An admin call on the HTTP API with the same token (`Authorization: Bearer`). */
export async function apiPost(path: string): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...authHeaders() };
  const res = await fetch(path, { method: 'POST', headers, body: '{}' });
  const body = (await res.json().catch(() => null)) as {
    error?: { code?: string; message?: string; hint?: string };
  } | null;
  if (!res.ok) {
    const msg = body?.error?.message ?? `${res.status} ${res.statusText}`;
    const hint = body?.error?.hint;
    // The page shows the message alone, so it carries the hint too.
    throw new ApiCallError(res.status, body?.error?.code ?? 'HTTP_ERROR', hint ? `${msg} — ${hint}` : msg, hint);
  }
  return body;
}
