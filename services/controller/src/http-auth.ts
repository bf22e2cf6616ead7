import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { allows, LOCAL_PRINCIPAL, type Principal, type ProjectRole, roleOn } from './principal';
import type { TokenRegistry } from './token-auth';

const REFUSED = {
  unknown: 'the token is not valid for this server',
  revoked: 'the token has been revoked',
  expired: 'the token has expired',
} as const;

/** Express middleware: a valid bearer token (any role); its principal is `principalOf(res)`. */
export function authenticate(tokens: TokenRegistry | null) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (tokens === null) {
      res.locals.principal = LOCAL_PRINCIPAL;
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
    const found = await tokens.authenticate(match[1]);
    if (typeof found === 'string') {
      throw new ApiError(401, 'BAD_TOKEN', REFUSED[found], {
        hint:
          found === 'unknown'
            ? 'check the token (--token / $HYPERFLEET_TOKEN) against the server’s --tokens file or `hyperfleet token ls`'
            : 'ask an admin for a new one: `hyperfleet token create --project P --role R`',
      });
    }
    res.locals.principal = found;
    next();
  };
}

/** Express middleware: the token is an agent's (the fleet role `worker`, or an admin of everything). */
export function requireWorker(tokens: TokenRegistry | null) {
  const auth = authenticate(tokens);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    await auth(req, res, () => undefined);
    if (!principalOf(res).worker) {
      throw new ApiError(403, 'FORBIDDEN', 'this needs the worker role', {
        hint: 'agents use a token with the worker role (HYPERFLEET_TOKENS="worker:…")',
      });
    }
    next();
  };
}

/**
 * Express middleware (after `authenticate`): the token may submit to some project. Refuses before a body is read;
 * the route then checks the project the body names.
 */
export function requireSubmitter(_req: Request, res: Response, next: NextFunction): void {
  const p = principalOf(res);
  if (Object.keys(p.projects).some((project) => allows(p, project, 'submit'))) {
    next();
    return;
  }
  throw new ApiError(403, 'FORBIDDEN', 'this needs the submit role on a project; the token has none', {
    hint: 'use a token with submit on the sweep’s project (`project:` in the config, `default` when absent)',
  });
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/**
 * The caller must hold `required` on `project`. A project it cannot read does not exist for it: `hidden` (the
 * same 404 as a missing object, so ids of other teams' objects cannot be probed); one it reads without the role: 403.
 */
export function authorize(res: Response, project: string, required: ProjectRole, hidden: () => ApiError): void {
  const p = principalOf(res);
  if (allows(p, project, required)) return;
  const has = roleOn(p, project);
  if (has === null) throw hidden();
  throw new ApiError(403, 'FORBIDDEN', `this needs the ${required} role on project ${project}; the token has ${has}`, {
    hint: `use a token with ${required} or higher on ${project} (\`hyperfleet token create --project ${project} --role ${required}\`)`,
  });
}
