import { createHmac, randomBytes } from 'node:crypto';
import { HyperfleetError } from '@hyperfleet/domain';
import { CONTROLLER_SENDER, type ReportSigner } from '@hyperfleet/transport';

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

/** Where a generated fleet secret is kept: the store (the record), so it outlives any Redis restart. */
export interface ServerSecrets {
  serverSecret(name: string, fresh: string): Promise<string>;
}

/**
 * The fleet secret: `HYPERFLEET_AGENT_SECRET` when set (the same on every replica); otherwise generated once and
 * kept in the store, which every replica shares and which does not forget it when Redis restarts empty (a secret
 * kept in Redis would change under running agents, whose reports and connections would then be refused).
 */
export async function loadAgentSecret(secrets: ServerSecrets, env = process.env): Promise<Buffer> {
  const given = env[AGENT_SECRET_ENV];
  if (given !== undefined) {
    if (given.length < 32) {
      throw new HyperfleetError('AGENT_SECRET_SHORT', `${AGENT_SECRET_ENV} has ${given.length} characters`, {
        hint: 'use at least 32 random characters, e.g. $(openssl rand -hex 32)',
      });
    }
    return Buffer.from(given);
  }
  return Buffer.from(await secrets.serverSecret('agent-secret', randomBytes(32).toString('hex')));
}
