import { z } from 'zod';
import { defineRoute } from './route';
import { id, timestamp } from './wire';

// null: a reading this GPU (or driver) does not support, as nvidia-smi prints "[N/A]".
export const gpuInfo = z.strictObject({
  /** nvidia-smi's index, which is the PCI bus order (the agent sets CUDA_DEVICE_ORDER=PCI_BUS_ID to match). */
  index: z.number().int().min(0),
  name: z.string().max(200),
  memoryTotalMiB: z.number().min(0).nullable(),
  memoryUsedMiB: z.number().min(0).nullable(),
  utilizationPct: z.number().min(0).max(100).nullable(),
});
export type GpuInfo = z.output<typeof gpuInfo>;

export const runningAttempt = z.strictObject({
  trialId: id,
  attempt: z.number().int().min(1),
  slot: z.number().int().min(0).optional(),
  gpu: z.number().int().min(0).nullable().optional(),
});

/**
 * The agent's own state. Its breaker pauses sweeps, not the agent: a `running` agent's `reason` names the sweeps
 * paused on it. `paused` (the whole agent, with the breaker's reason) is what agents before that sent.
 */
export const agentStatus = z.enum(['running', 'paused', 'draining']);
export type AgentStatus = z.output<typeof agentStatus>;

export const registerBody = z.strictObject({
  agentId: id,
  host: z.string().min(1).max(255),
  pool: id,
  slots: z.number().int().min(1).max(4096),
  gpus: z.array(gpuInfo).max(256),
  version: z.string().max(100),
});

export const heartbeatBody = z.strictObject({
  running: z.array(runningAttempt).max(4096),
  gpus: z.array(gpuInfo).max(256),
  draining: z.boolean(),
  /** What `agent ls` shows. */
  status: agentStatus.optional(),
  reason: z.string().max(2000).nullable().optional(),
  pool: id.optional(),
  slots: z.number().int().min(1).max(4096).optional(),
  host: z.string().min(1).max(255).optional(),
});

/**
 * What the controller hands an agent at registration; `redisUrl` null: it has no queue to hand out (embedded).
 * `redisUrl` names the agent's own Redis user (never the fleet's password, unless the server runs with
 * --insecure-shared-redis); `reportKey` (hex) signs its report entries, null when the server checks none.
 */
export const registration = z.object({
  agentId: z.string().min(1),
  redisUrl: z.string().min(1).nullable(),
  reportKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable()
    .optional(),
  /** For the pods of a Kubernetes executor: a Redis user that may only append to report streams. */
  podRedisUrl: z.string().min(1).nullable().optional(),
  heartbeatMs: z.number().int().positive(),
  queuePrefix: z.string(),
});

/** An agent as `GET /api/agents` lists it; `status` is derived from the last heartbeat. */
export const agentInfo = z.object({
  agentId: z.string(),
  host: z.string(),
  pool: z.string(),
  slots: z.number().int(),
  running: z.array(runningAttempt),
  gpus: z.array(gpuInfo),
  draining: z.boolean(),
  agentStatus: agentStatus.optional(),
  reason: z.string().nullable().optional(),
  version: z.string(),
  registeredAt: timestamp,
  lastHeartbeat: timestamp,
  status: z.enum(['alive', 'stale']),
});

export const agentRoutes = {
  register: defineRoute({ method: 'POST', path: '/api/agents/register', body: registerBody, response: registration }),
  /** 404 AGENT_UNKNOWN when the controller forgot the agent (restart, TTL): register again. */
  heartbeat: defineRoute({
    method: 'POST',
    path: '/api/agents/:id/heartbeat',
    body: heartbeatBody,
    response: z.object({ ok: z.literal(true) }),
  }),
  list: defineRoute({ method: 'GET', path: '/api/agents', response: z.object({ agents: z.array(agentInfo) }) }),
  /**
   * Admin: cuts the agent off at once (its Redis user is deleted, its reports refused) and refuses the id from
   * then on. `revoked` false: it was revoked before.
   */
  revoke: defineRoute({
    method: 'POST',
    path: '/api/agents/:id/revoke',
    response: z.object({ agentId: z.string(), revoked: z.boolean() }),
  }),
};
