import type { IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';
import { type Principal, roleAllows, type TokenRegistry } from '../token-auth';

/** Without a registry (embedded mode, no tokens configured) every socket may read. */
const ANONYMOUS: Principal = { role: 'admin', name: 'local' };

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
 * socket.io middleware: the same bearer tokens as the HTTP API, read role or higher (every role includes
 * read). No token or an unknown one: the connection is refused (`connect_error`). The token is never logged.
 */
export function socketAuth(tokens: TokenRegistry | null) {
  return (socket: Socket, next: (err?: Error) => void): void => {
    if (tokens === null) {
      socket.data.principal = ANONYMOUS;
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
    const principal = tokens.authenticate(token);
    if (!principal) {
      next(
        refusal(
          'BAD_TOKEN',
          'the token is not valid for this server',
          "check the token against the server's --tokens file",
        ),
      );
      return;
    }
    if (!roleAllows(principal.role, 'read')) {
      next(
        refusal(
          'FORBIDDEN',
          `the ${principal.role} role cannot read sweeps`,
          'use a token with the read role or higher',
        ),
      );
      return;
    }
    socket.data.principal = principal;
    next();
  };
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
