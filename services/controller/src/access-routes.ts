import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { accessRoutes as api } from '@hyperfleet/contract';
import type { StoredTokenRecord, TokenStore } from '@hyperfleet/store';
import { type Request, type Response, Router } from 'express';
import { auditAgentRevoked } from './agent-routes';
import { ApiError, notFound } from './api-error';
import type { AppDeps } from './app-deps';
import { authenticate, authorize, principalOf } from './http-auth';
import { allows, isFleetAdmin, type Principal, type ProjectRole } from './principal';
import { parseInput, reply } from './route-io';
import { refused } from './store-refusal';

/**
 * `GET /api/me` (who the token is, its roles per project) and the stored tokens: `hyperfleet token create`
 * mints a random secret, answers it once and keeps only its SHA-256; `token ls`; `token revoke`.
 */
export function accessRoutes(deps: AppDeps): Router {
  const r = Router();
  const auth = authenticate(deps.tokens);
  const now = () => deps.clock?.now() ?? Date.now();

  r.get(api.me.path, auth, (_req: Request, res: Response) => {
    const p = principalOf(res);
    reply(res, api.me, { name: p.name, projects: { ...p.projects }, worker: p.worker, auth: deps.tokens !== null });
  });

  const storedTokens = (): TokenStore => {
    const stored = deps.tokens?.stored;
    if (!stored) {
      throw new ApiError(409, 'TOKENS_DISABLED', 'this server runs without tokens, so it cannot mint any', {
        hint: 'start `hyperfleet server` with --tokens tokens.json or HYPERFLEET_TOKENS (see README, "API tokens")',
      });
    }
    return stored;
  };

  r.post(api.createToken.path, auth, async (req: Request, res: Response) => {
    const body = parseInput(api.createToken.body, req.body, 'body');
    const caller = principalOf(res);
    if (body.role === 'worker' && body.project !== '*') {
      throw new ApiError(422, 'TOKEN_INVALID', 'a worker token is for agents, which serve every project', {
        hint: 'mint it with --project "*" --role worker (an admin of every project)',
      });
    }
    if (body.project === '*' ? !isFleetAdmin(caller) : !allows(caller, body.project, 'admin')) {
      throw new ApiError(403, 'FORBIDDEN', `minting a token for ${body.project} needs the admin role there`, {
        hint: body.project === '*' ? 'only an admin of every project mints * tokens' : 'ask an admin of the project',
      });
    }
    const stored = storedTokens();
    const secret = `hf_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    const at = now();
    const record: StoredTokenRecord = {
      id,
      name: body.name ?? `${body.project === '*' ? 'all' : body.project}-${body.role}-${id.slice(0, 8)}`,
      sha256: createHash('sha256').update(secret, 'utf8').digest('hex'),
      project: body.project,
      role: body.role,
      createdAt: at,
      createdBy: caller.name,
      expiresAt: body.expiresInSeconds === undefined ? null : at + body.expiresInSeconds * 1000,
      revokedAt: null,
      revokedBy: null,
    };
    if (deps.tokens?.isConfiguredName(record.name)) {
      throw new ApiError(409, 'CONFLICT', `a configured token is named ${record.name}`, {
        hint: 'pick another --name: the name is the actor in the audit log, so it must be one token’s',
      });
    }
    await refused(stored.create(record));
    reply(res, api.createToken, { token: secret, info: infoOf(record) }, 201);
  });

  r.get(api.listTokens.path, auth, async (_req: Request, res: Response) => {
    const caller = principalOf(res);
    const tokens = (await storedTokens().list()).filter((t) => administers(caller, t.project));
    reply(res, api.listTokens, { tokens: tokens.map(infoOf) });
  });

  r.post(api.revokeToken.path, auth, async (req: Request, res: Response) => {
    const key = String(req.params.id);
    const stored = storedTokens();
    const hidden = () => notFound(`token ${key}`, 'see `hyperfleet token ls`');
    const found = (await stored.list()).find((t) => t.id === key || t.name === key);
    if (!found) throw hidden();
    if (found.project === '*') {
      if (!isFleetAdmin(principalOf(res))) throw hidden();
    } else authorize(res, found.project, 'admin', hidden);
    const revoked = await stored.revoke(found.id, principalOf(res).name, now());
    // An agent token's agents lose their Redis users and report keys with it, not at their next registration.
    const credentials = deps.agents.credentials;
    if (found.role === 'worker' && credentials) {
      for (const agentId of await credentials.revokeRegisteredBy(found.name)) {
        await auditAgentRevoked(deps.store, now(), principalOf(res).name, { agentId, token: found.name });
      }
    }
    reply(res, api.revokeToken, { info: infoOf(revoked) });
  });
  return r;
}

function administers(p: Principal, project: string): boolean {
  return project === '*' ? isFleetAdmin(p) : allows(p, project, 'admin');
}

function infoOf(t: StoredTokenRecord) {
  const { sha256: _hash, ...info } = t;
  return { ...info, role: t.role as ProjectRole };
}
