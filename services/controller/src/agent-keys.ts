import { createHmac, randomBytes } from 'node:crypto';
import { HyperfleetError } from '@hyperfleet/domain';
import { CONTROLLER_SENDER, type ReportSigner } from '@hyperfleet/transport';
import type { Redis } from 'ioredis';

/** `HYPERFLEET_AGENT_SECRET`: the fleet's agent secret (hex or any text of 32+ characters), if the operator sets it. */
export const AGENT_SECRET_ENV = 'HYPERFLEET_AGENT_SECRET';

/**
 * Every per-agent credential is derived from one fleet secret: the agent's Redis password and its report-signing
 * key are HMAC-SHA256(secret, purpose, agent id). Derived, not random per registration, because
 * - every controller replica computes the same key to verify an agent's reports, with nothing to share but the
 *   secret;
 * - an agent re-registers after Redis restarted empty (its ACL user is gone with it) and its open connections
 *   reconnect with the password they have: a rotated password would strand them.
 * A credential that leaked is withdrawn by revoking the agent id (ACL DELUSER, and the id may not register
 * again), not by rotation; the secret itself never leaves the controllers.
 */
export class AgentKeys {
  constructor(private readonly secret: Buffer) {}

  private derive(purpose: string, agentId: string): Buffer {
    return createHmac('sha256', this.secret).update(purpose).update('\0').update(agentId).digest();
  }

  /** The key an agent signs its report entries with. */
  reportKey(agentId: string): Buffer {
    return this.derive('report', agentId);
  }

  /** The password of the agent's Redis ACL user. */
  redisPassword(agentId: string): string {
    return this.derive('redis', agentId).toString('hex');
  }

  /** The controllers' own signer: loss verdicts they publish on a sweep's stream. */
  controllerSigner(): ReportSigner {
    return { sender: CONTROLLER_SENDER, key: this.derive('report', CONTROLLER_SENDER) };
  }
}

/**
 * The fleet secret: `HYPERFLEET_AGENT_SECRET` when set (the same on every replica); otherwise generated once and
 * kept in Redis under `${prefix}:ctl:agent-secret`, a key no agent's ACL user can read, so the replicas agree.
 * Redis restarting empty loses it: the next controller to start makes a new one and agents get new keys when
 * they register again (a running controller keeps writing its own copy back, see `reassert`).
 */
export async function loadAgentSecret(redis: Redis, prefix: string, env = process.env): Promise<AgentSecret> {
  const given = env[AGENT_SECRET_ENV];
  if (given !== undefined) {
    if (given.length < 32) {
      throw new HyperfleetError('AGENT_SECRET_SHORT', `${AGENT_SECRET_ENV} has ${given.length} characters`, {
        hint: 'use at least 32 random characters, e.g. $(openssl rand -hex 32)',
      });
    }
    return { secret: Buffer.from(given), reassert: async () => {} };
  }
  const key = `${prefix}:ctl:agent-secret`;
  const fresh = randomBytes(32).toString('hex');
  // SET NX GET: the stored secret when there is one, else ours is stored (Redis ≥ 7).
  const stored = (await redis.call('SET', key, fresh, 'NX', 'GET')) as string | null;
  const secret = stored ?? fresh;
  return {
    secret: Buffer.from(secret),
    reassert: async () => {
      await redis.set(key, secret, 'NX');
    },
  };
}

export interface AgentSecret {
  secret: Buffer;
  /** Writes the secret back when Redis lost it, so that replicas started later still agree with this one. */
  reassert(): Promise<void>;
}
