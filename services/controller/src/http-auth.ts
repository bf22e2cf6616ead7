import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { type Principal, type Role, roleAllows, type TokenRegistry } from './token-auth';

/** Without a registry (embedded mode, no tokens configured) every caller is admin. */
const ANONYMOUS: Principal = { role: 'admin', name: 'local' };

/** Express middleware: the bearer token must belong to a role that `required` admits. */
export function requireRole(tokens: TokenRegistry | null, required: Role) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (tokens === null) {
      res.locals.principal = ANONYMOUS;
      next();
      return;
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new ApiError(401, 'UNAUTHENTICATED', 'no bearer token', {
        hint: 'send `Authorization: Bearer <token>` (hyperfleet commands take --token or $HYPERFLEET_TOKEN)',
      });
    }
    const principal = tokens.authenticate(match[1]);
    if (!principal) {
      throw new ApiError(401, 'BAD_TOKEN', 'the token is not valid for this server', {
        hint: 'check the token (--token / $HYPERFLEET_TOKEN) against the server’s --tokens file',
      });
    }
    if (!roleAllows(principal.role, required)) {
      throw new ApiError(403, 'FORBIDDEN', `this needs the ${required} role; the token has ${principal.role}`, {
        hint: `use a token with the ${required === 'read' ? 'read' : `${required} or admin`} role`,
      });
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
