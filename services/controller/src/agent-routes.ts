import { agentRoutes as api } from '@hyperfleet/contract';
import { type Request, type Response, Router } from 'express';
import { ApiError } from './api-error';
import type { AppDeps } from './app-deps';
import type { AgentInfo, AgentRecord } from './coordination';
import { requireRole } from './http-auth';
import { parseInput, reply } from './route-io';

/** A record lives 3 heartbeats: a dead machine disappears on its own. */
const TTL_HEARTBEATS = 3;

/** Agent routes: register, heartbeat, list. Agents live in the coordination store with a TTL. */
export function agentRoutes(deps: AppDeps): Router {
  const r = Router();
  const { coordination, tokens } = deps;
  const now = () => deps.clock?.now() ?? Date.now();
  const ttl = deps.agents.heartbeatMs * TTL_HEARTBEATS;

  r.post(api.register.path, requireRole(tokens, 'worker'), async (req: Request, res: Response) => {
    const body = parseInput(api.register.body, req.body, 'body');
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
      redisUrl: deps.agents.redisUrl,
      heartbeatMs: deps.agents.heartbeatMs,
      queuePrefix: deps.agents.queuePrefix,
    });
  });

  r.post(api.heartbeat.path, requireRole(tokens, 'worker'), async (req: Request, res: Response) => {
    const body = parseInput(api.heartbeat.body, req.body, 'body');
    const id = String(req.params.id);
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
  return r;
}
