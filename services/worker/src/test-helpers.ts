import type { Server } from 'node:http';
import type { AgentTransport } from '@hyperfleet/agent-core';
import { type LogLine, makeWorkDir } from '@hyperfleet/agent-core/testing';
import { createInProcessTransport, type InProcessTransport } from '@hyperfleet/transport';
import express from 'express';
import { afterEach, beforeEach } from 'vitest';
import { createAgent } from './agent';
import type { AgentOptions } from './agent-options';
import type { HeartbeatBody, RegisterBody } from './controller-client';

export {
  collectReports,
  finishedOf,
  type LogLine,
  makeWorkDir,
  nodeJob,
  waitFor,
} from '@hyperfleet/agent-core/testing';

/** Test support (not exported): the two agent routes of the controller API, on a real HTTP server. */
export interface FakeController {
  url: string;
  registrations: RegisterBody[];
  heartbeats: Array<{ agentId: string; body: HeartbeatBody }>;
  /** Answer the next N registrations with 503 (a controller still starting). */
  unavailableFor: number;
  /** Agents the controller has forgotten (heartbeat → 404). */
  forget(agentId: string): void;
  close(): Promise<void>;
}

export const WORKER_TOKEN = 'worker-secret-token';

export async function startFakeController(
  opts: { heartbeatMs?: number; redisUrl?: string; queuePrefix?: string } = {},
): Promise<FakeController> {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  const known = new Set<string>();
  const state: Omit<FakeController, 'url' | 'close' | 'forget'> = {
    registrations: [],
    heartbeats: [],
    unavailableFor: 0,
  };
  app.use('/api', (req, res, next) => {
    if (req.headers.authorization !== `Bearer ${WORKER_TOKEN}`) {
      res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'unknown token', hint: 'check the token' } });
      return;
    }
    next();
  });
  app.post('/api/agents/register', (req, res) => {
    if (state.unavailableFor > 0) {
      state.unavailableFor--;
      res.status(503).json({ error: { code: 'NOT_READY', message: 'starting' } });
      return;
    }
    const body = req.body as RegisterBody;
    state.registrations.push(body);
    known.add(body.agentId);
    res.json({
      agentId: body.agentId,
      redisUrl: opts.redisUrl ?? 'redis://127.0.0.1:6379',
      heartbeatMs: opts.heartbeatMs ?? 100,
      queuePrefix: opts.queuePrefix ?? 'hf',
    });
  });
  app.post('/api/agents/:id/heartbeat', (req, res) => {
    const agentId = String(req.params.id);
    if (!known.has(agentId)) {
      res.status(404).json({ error: { code: 'UNKNOWN_AGENT', message: 'register first' } });
      return;
    }
    state.heartbeats.push({ agentId, body: req.body as HeartbeatBody });
    res.json({ ok: true });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    forget: (agentId: string) => known.delete(agentId),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The agent side of a shared transport, with close() a no-op so the test keeps the controller side. */
export function agentSide(transport: AgentTransport): AgentTransport {
  return {
    consumer: transport.consumer,
    reports: transport.reports,
    control: transport.control,
    logs: transport.logs,
    close: async () => {},
  };
}

/** Agent options with short timers for tests; `logs` collects what the agent says. */
export function agentOptions(
  ctl: FakeController,
  transport: AgentTransport,
  workDir: string,
  logs: LogLine[],
  overrides: Partial<AgentOptions> = {},
): AgentOptions {
  return {
    serverUrl: ctl.url,
    token: WORKER_TOKEN,
    transportFactory: () => agentSide(transport),
    workDir,
    stopCheckMs: 100,
    drainTimeoutMs: 2_000,
    closeTimeoutMs: 5_000,
    startupRetryMs: 2_000,
    logger: (level, message) => logs.push({ level, message }),
    ...overrides,
  };
}

/**
 * The setup every agent test shares: a fake controller, an in-process transport, a work dir and the agent's
 * log lines, fresh for each test; `cleanups` and every agent made with `newAgent` are closed after it.
 */
export function useAgentHarness() {
  const h = {
    ctl: undefined as unknown as FakeController,
    transport: undefined as unknown as InProcessTransport,
    work: undefined as unknown as Awaited<ReturnType<typeof makeWorkDir>>,
    logs: [] as LogLine[],
    cleanups: [] as Array<() => Promise<unknown>>,
    newAgent(overrides: Partial<AgentOptions> = {}) {
      const agent = createAgent(agentOptions(h.ctl, h.transport, h.work.dir, h.logs, overrides));
      h.cleanups.push(() => agent.close());
      return agent;
    },
  };
  beforeEach(async () => {
    h.ctl = await startFakeController();
    h.transport = createInProcessTransport({ reports: { retryDelayMs: 50 } });
    h.work = await makeWorkDir();
    h.logs = [];
  });
  afterEach(async () => {
    for (const cleanup of h.cleanups.splice(0).reverse()) await cleanup().catch(() => {});
    await h.transport.close();
    await h.ctl.close();
    await h.work.cleanup();
  });
  return h;
}
