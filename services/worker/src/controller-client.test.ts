import type { Server } from 'node:http';
import { UnexpectedResponseError } from '@hyperfleet/contract';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_ERROR_CODES, AgentError } from './agent-error';
import { ControllerClient, RetryableError } from './controller-client';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A real HTTP server that answers the agent routes with these bodies. */
async function answering(
  register: unknown,
  heartbeat: unknown = { ok: true },
  status = 200,
): Promise<ControllerClient> {
  const app = express();
  app.post('/api/agents/register', (_req, res) => void res.status(status).json(register));
  app.post('/api/agents/:id/heartbeat', (_req, res) => void res.status(status).json(heartbeat));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return new ControllerClient({ serverUrl: `http://127.0.0.1:${port}`, token: 't' });
}

const body = { agentId: 'a', host: 'h', pool: 'default', slots: 1, gpus: [], version: '0' };

describe('ControllerClient parses answers with the contract', () => {
  it('a registration that fits', async () => {
    const client = await answering({ agentId: 'a', redisUrl: 'redis://r:6379', heartbeatMs: 100, queuePrefix: 'hf' });
    expect(await client.register(body)).toEqual({
      agentId: 'a',
      redisUrl: 'redis://r:6379',
      heartbeatMs: 100,
      queuePrefix: 'hf',
    });
    expect(await client.heartbeat('a', { running: [], gpus: [], draining: false })).toBe('ok');
  });

  it('a registration that does not fit names the field', async () => {
    const client = await answering({ agentId: 'a', redisUrl: 5, heartbeatMs: 100, queuePrefix: 'hf' });
    const err = await client.register(body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as AgentError).code).toBe(AGENT_ERROR_CODES.registrationRejected);
    expect((err as AgentError).message).toMatch(/answered the registration with an unexpected body \(redisUrl: /);
  });

  it('a revoked agent id is named as such, not as a refused token', async () => {
    const revoked = {
      error: { code: 'AGENT_REVOKED', message: 'agent a was revoked by an admin', hint: 'use another --agent-id' },
    };
    const client = await answering(revoked, revoked, 403);
    for (const call of [
      () => client.register(body),
      () => client.heartbeat('a', { running: [], gpus: [], draining: false }),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: AGENT_ERROR_CODES.revoked, hint: 'use another --agent-id' });
      expect((err as Error).message).toMatch(/refused the (registration|heartbeat): agent a was revoked by an admin/);
    }
  });

  it('a server without a queue cannot take agents', async () => {
    const client = await answering({ agentId: 'a', redisUrl: null, heartbeatMs: 100, queuePrefix: 'hf' });
    await expect(client.register(body)).rejects.toThrow(/has no queue to hand out/);
  });

  it('a heartbeat answer that does not fit is an UnexpectedResponseError; a 503 is worth retrying', async () => {
    const garbled = await answering({}, { ok: 'yes' });
    const err = await garbled.heartbeat('a', { running: [], gpus: [], draining: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect((err as Error).message).toMatch(
      /^POST \/api\/agents\/:id\/heartbeat answered with an unexpected body: ok: /,
    );
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const starting = await answering({ error: { code: 'NOT_READY', message: 'starting' } }, {}, 503);
    const retry = await starting.register(body).catch((e: unknown) => e);
    expect(retry).toBeInstanceOf(RetryableError);
    expect((retry as RetryableError).code).toBe('CONTROLLER_UNAVAILABLE');
    expect((retry as Error).message).toContain('503: NOT_READY starting');
  });
});
