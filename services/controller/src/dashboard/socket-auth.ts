import type { IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';
import { LOCAL_PRINCIPAL } from '../principal';
import type { TokenRegistry } from '../token-auth';

/** The error a refused socket sees as `connect_error`: `err.message`, and `err.data = {code, hint}`. */
export function refusal(code: string, message: string, hint: string): Error & { data: { code: string; hint: string } } {
  return Object.assign(new Error(message), { data: { code, hint } });
}

function presentedToken(socket: Socket): string | null {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string' && auth.token !== '') return auth.token;
  // Non-browser clients may send the API's header instead.
  const header = socket.handshake.headers.authorization ?? '';
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null;
}

/**
 * socket.io middleware: the same bearer tokens as the HTTP API. No token, an unknown, revoked or expired one: the
 * connection is refused (`connect_error`). What the socket may join depends on the token's projects (see
 * socket-requests.ts). The token is never logged.
 */
export function socketAuth(tokens: TokenRegistry | null) {
  return async (socket: Socket, next: (err?: Error) => void): Promise<void> => {
    if (tokens === null) {
      socket.data.principal = LOCAL_PRINCIPAL;
      next();
      return;
    }
    const token = presentedToken(socket);
    if (token === null) {
      next(
        refusal(
          'UNAUTHENTICATED',
          'no token',
          'connect with io(url, { auth: { token } }) (a token with role read or higher)',
        ),
      );
      return;
    }
    let found: Awaited<ReturnType<TokenRegistry['authenticate']>>;
    try {
      found = await tokens.authenticate(token);
    } catch {
      next(refusal('NOT_READY', 'the token could not be checked', 'try again; the server’s store did not answer'));
      return;
    }
    if (typeof found === 'string') {
      next(
        refusal(
          'BAD_TOKEN',
          found === 'unknown' ? 'the token is not valid for this server' : `the token is ${found}`,
          "check the token against the server's --tokens file or `hyperfleet token ls`",
        ),
      );
      return;
    }
    socket.data.principal = found;
    next();
  };
}

/**
 * Drops the sockets whose token was revoked or has expired since they connected: a socket keeps its rooms (and
 * their stream) until then, so this runs every few seconds. Configured tokens are checked in memory, stored ones
 * with one store read each.
 */
export async function dropRefusedSockets(sockets: Iterable<Socket>, tokens: TokenRegistry): Promise<number> {
  let dropped = 0;
  for (const socket of sockets) {
    const token = presentedToken(socket);
    if (token === null) continue;
    if (typeof (await tokens.authenticate(token)) === 'string') {
      socket.disconnect(true);
      dropped++;
    }
  }
  return dropped;
}

/**
 * The handshake's Origin must be this server (or an allowed origin). Browsers let any page open a WebSocket to
 * 127.0.0.1, and an embedded dashboard without tokens would otherwise show anyone's sweeps to any web page.
 * Clients that send no Origin (node, curl) are not browsers and pass.
 */
export function sameOrigin(allowed: readonly string[]) {
  return (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const origin = req.headers.origin;
    if (origin === undefined || allowed.includes('*') || allowed.includes(origin)) {
      callback(null, true);
      return;
    }
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      host = null;
    }
    callback(host !== null && host === req.headers.host ? null : 'origin not allowed', host === req.headers.host);
  };
}
