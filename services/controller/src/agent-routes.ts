import { id as agentId, agentRoutes as api } from '@hyperfleet/contract';
import type { TrackingStore } from '@hyperfleet/store';
import { type Request, type Response, Router } from 'express';
import { ApiError } from './api-error';
import type { AppDeps } from './app-deps';
import type { AgentInfo, AgentRecord } from './coordination';
import { authenticate, principalOf, requireWorker } from './http-auth';
import { isFleetAdmin, type Principal, readableProjects, roleOn } from './principal';
import { parseInput, reply } from './route-io';

/** A record lives 3 heartbeats: a dead machine disappears on its own. */
const TTL_HEARTBEATS = 3;

/** The audit event of an agent's revocation (by its id, or with the agent token it registered with). */
export function auditAgentRevoked(
  store: TrackingStore,
  at: number,
  actor: string,
  data: { agentId: string } & Record<string, unknown>,
): Promise<void> {
  return store.appendEvent({ at, sweepId: null, trialId: null, type: 'agent.revoked', actor, data });
}

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

  r.post(api.register.path, requireWorker(tokens), async (req: Request, res: Response) => {
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
    if (!existing) {
      // Fleet-wide (no project): seen in the audit log by admins of every project.
      await deps.store.appendEvent({
        at,
        sweepId: null,
        trialId: null,
        type: 'agent.registered',
        actor: principalOf(res).name,
        data: { agentId: body.agentId, pool: body.pool, host: body.host ?? null },
      });
    }
    reply(res, api.register, {
      agentId: agent.agentId,
      redisUrl: grant.redisUrl,
      reportKey: grant.reportKey,
      podRedisUrl: grant.podRedisUrl,
      heartbeatMs: deps.agents.heartbeatMs,
      queuePrefix: deps.agents.queuePrefix,
    });
  });

  r.post(api.heartbeat.path, requireWorker(tokens), async (req: Request, res: Response) => {
    const body = parseInput(api.heartbeat.body, req.body, 'body');
    const id = String(req.params.id);
    if (credentials && (await credentials.isRevoked(id))) throw revokedError(id);
    const agent = await coordination.getAgent(id);
    const { status: agentStatus, ...rest } = body;
    const at = now();
    const updated: AgentRecord | null = agent && {
      ...agent,
      ...rest,
      ...(agentStatus ? { agentStatus } : {}),
      lastHeartbeat: at,
    };
    // Refreshed only while the record is there (a Redis that lost it says so: the agent registers again).
    if (!agent || !updated || !(await coordination.refreshAgent(updated, ttl))) {
      throw new ApiError(
        404,
        'AGENT_UNKNOWN',
        `agent ${id} is not registered (or missed ${TTL_HEARTBEATS} heartbeats)`,
        {
          hint: 'register again: POST /api/agents/register',
        },
      );
    }
    const state = (a: AgentRecord) => (a.draining ? 'draining' : (a.agentStatus ?? 'running'));
    const [was, is] = [state(agent), state(updated)];
    if (was !== is) {
      // An agent changing state (draining, paused by its breaker) is fleet-wide: in no project.
      await deps.store.appendEvent({
        at,
        sweepId: null,
        trialId: null,
        type: 'agent.state',
        actor: principalOf(res).name,
        data: { agentId: id, from: was, to: is, reason: body.reason ?? null },
      });
    }
    reply(res, api.heartbeat, { ok: true });
  });

  r.get(api.list.path, authenticate(tokens), async (_req: Request, res: Response) => {
    const at = now();
    const agents: AgentInfo[] = (await withVisibleRuns(deps.store, await coordination.listAgents(), principalOf(res)))
      .map((a) => ({
        ...a,
        status: at - a.lastHeartbeat <= 2 * deps.agents.heartbeatMs ? ('alive' as const) : ('stale' as const),
      }))
      .sort((a, b) => a.pool.localeCompare(b.pool) || a.agentId.localeCompare(b.agentId));
    reply(res, api.list, { agents });
  });

  r.post(api.revoke.path, authenticate(tokens), async (req: Request, res: Response) => {
    if (!isFleetAdmin(principalOf(res))) {
      throw new ApiError(403, 'FORBIDDEN', 'revoking an agent needs the admin role on every project (*)', {
        hint: 'agents are shared by every project: use an admin token for `*`',
      });
    }
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
    await auditAgentRevoked(deps.store, now(), principalOf(res).name, { agentId: id, already: !revoked });
    reply(res, api.revoke, { agentId: id, revoked });
  });
  return r;
}

/** The sweep a trial id names (`<sweep>-<index>`). */
const sweepOf = (trialId: string) => trialId.slice(0, trialId.lastIndexOf('-'));

/** The agents with only the running trials of sweeps `caller` can read: agents are shared, other teams' work is not. */
async function withVisibleRuns(store: TrackingStore, agents: AgentRecord[], caller: Principal): Promise<AgentRecord[]> {
  if (readableProjects(caller) === undefined) return agents;
  const sweepIds = [...new Set(agents.flatMap((a) => a.running.map((run) => sweepOf(run.trialId))))];
  const visible = new Set<string>();
  for (const id of sweepIds) {
    const sweep = await store.getSweep(id);
    if (sweep && roleOn(caller, sweep.project) !== null) visible.add(id);
  }
  return agents.map((a) => ({ ...a, running: a.running.filter((run) => visible.has(sweepOf(run.trialId))) }));
}
