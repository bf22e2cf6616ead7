import { id as agentId, agentRoutes as api } from '@hyperfleet/contract';
import { type Request, type Response, Router } from 'express';
import { ApiError } from './api-error';
import type { AppDeps } from './app-deps';
import type { AgentInfo, AgentRecord } from './coordination';
import { principalOf, requireRole } from './http-auth';
import { parseInput, reply } from './route-io';

/** A record lives 3 heartbeats: a dead machine disappears on its own. */
const TTL_HEARTBEATS = 3;

function revokedError(agentId: string): ApiError {
  return new ApiError(403, 'AGENT_REVOKED', `agent ${agentId} was revoked by an admin`, {
    hint: 'a revoked agent id stays refused: fix what made it untrusted, then start the agent with another --agent-id (and a new token if its token leaked)',
  });
}

/**
 * Agent routes: register, heartbeat, list, revoke. Agents live in the coordination store with a TTL; with
 * per-agent credentials registration provisions the agent's Redis user and hands out its report key.
 */
export function agentRoutes(deps: AppDeps): Router {
  const r = Router();
  const { coordination, tokens } = deps;
  const credentials = deps.agents.credentials;
  const now = () => deps.clock?.now() ?? Date.now();
  const ttl = deps.agents.heartbeatMs * TTL_HEARTBEATS;

  r.post(api.register.path, requireRole(tokens, 'worker'), async (req: Request, res: Response) => {
    const body = parseInput(api.register.body, req.body, 'body');
    if (credentials && (await credentials.isRevoked(body.agentId))) throw revokedError(body.agentId);
    const grant = credentials
      ? await credentials.issue({ agentId: body.agentId, pool: body.pool, registeredBy: principalOf(res).name })
      : { redisUrl: deps.agents.redisUrl, reportKey: null, podRedisUrl: deps.agents.redisUrl };
    const at = now();
    const existing = await coordination.getAgent(body.agentId);
    const agent: AgentRecord = {
      ...body,
      running: existing?.running ?? [],
      draining: false,
      registeredAt: existing?.registeredAt ?? at,
      lastHeartbeat: at,
    };
    await coordination.addPool(body.pool);
    await coordination.putAgent(agent, ttl);
    reply(res, api.register, {
      agentId: agent.agentId,
      redisUrl: grant.redisUrl,
      reportKey: grant.reportKey,
      podRedisUrl: grant.podRedisUrl,
      heartbeatMs: deps.agents.heartbeatMs,
      queuePrefix: deps.agents.queuePrefix,
    });
  });

  r.post(api.heartbeat.path, requireRole(tokens, 'worker'), async (req: Request, res: Response) => {
    const body = parseInput(api.heartbeat.body, req.body, 'body');
    const id = String(req.params.id);
    if (credentials && (await credentials.isRevoked(id))) throw revokedError(id);
    const agent = await coordination.getAgent(id);
    const { status: agentStatus, ...rest } = body;
    const refreshed =
      agent !== null &&
      (await coordination.refreshAgent(
        { ...agent, ...rest, ...(agentStatus ? { agentStatus } : {}), lastHeartbeat: now() },
        ttl,
      ));
    if (!refreshed) {
      throw new ApiError(
        404,
        'AGENT_UNKNOWN',
        `agent ${id} is not registered (or missed ${TTL_HEARTBEATS} heartbeats)`,
        {
          hint: 'register again: POST /api/agents/register',
        },
      );
    }
    reply(res, api.heartbeat, { ok: true });
  });

  r.get(api.list.path, requireRole(tokens, 'read'), async (_req: Request, res: Response) => {
    const at = now();
    const agents: AgentInfo[] = (await coordination.listAgents())
      .map((a) => ({
        ...a,
        status: at - a.lastHeartbeat <= 2 * deps.agents.heartbeatMs ? ('alive' as const) : ('stale' as const),
      }))
      .sort((a, b) => a.pool.localeCompare(b.pool) || a.agentId.localeCompare(b.agentId));
    reply(res, api.list, { agents });
  });

  r.post(api.revoke.path, requireRole(tokens, 'admin'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!agentId.safeParse(id).success) {
      throw new ApiError(400, 'INVALID_AGENT_ID', `${JSON.stringify(id)} is not an agent id`, {
        hint: 'agent ids are letters, digits and . _ : - (as `hyperfleet agent ls` shows them)',
      });
    }
    if (!credentials) {
      throw new ApiError(409, 'NO_AGENT_CREDENTIALS', 'this server hands out no agent credentials (embedded mode)', {
        hint: 'revoking is for fleet agents: a server started with --redis',
      });
    }
    const revoked = await credentials.revoke(id);
    await deps.store.appendEvent({
      at: now(),
      sweepId: null,
      trialId: null,
      type: 'agent.revoked',
      actor: principalOf(res).name,
      data: { agentId: id, already: !revoked },
    });
    reply(res, api.revoke, { agentId: id, revoked });
  });
  return r;
}
