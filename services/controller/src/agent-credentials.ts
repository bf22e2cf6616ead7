import { randomBytes } from 'node:crypto';
import { HyperfleetError } from '@hyperfleet/domain';
import { bullPrefixOf, CONTROLLER_SENDER, type ReportSigner, type ReportVerifier } from '@hyperfleet/transport';
import { Redis } from 'ioredis';
import { AgentKeys, loadAgentSecret, type ServerSecrets } from './agent-keys';

/** What an agent gets at registration: where its Redis is (as its own user) and the key it signs reports with. */
export interface AgentGrant {
  redisUrl: string;
  /** Hex; HMAC-SHA256 key of the agent's report entries. */
  reportKey: string;
  /**
   * For the pods a Kubernetes executor runs: a user that may only append to report streams (`acl` mode), so
   * its URL may be written into a Job; every entry still needs the attempt's key to be accepted.
   */
  podRedisUrl: string;
}

/**
 * How agents reach Redis:
 * - `acl` (the default): one Redis ACL user per agent, made at registration, limited to what an agent does —
 *   its pool's queue (BullMQ's keys and Lua scripts under `${prefix}:trials:${pool}:`), appending to report and
 *   log streams without reading them, reading stop requests, listening on the control channel (not publishing).
 *   It cannot read another pool's jobs or any sweep's reports, list keys, or run admin commands;
 * - `url`: the operator made a restricted user and hands its URL out (`$HYPERFLEET_AGENT_REDIS_URL`): for a Redis where
 *   this controller may not run ACL SETUSER (managed Redis, no ACL permission);
 * - `shared`: the controller's own URL, password and all (`--insecure-shared-redis`): every agent, and whatever
 *   steals its credentials, can read and write everything. Only on request, and said at start-up.
 * In every mode report entries are signed with the agent's key and checked by the controller, so an agent
 * cannot pass its reports off as another's.
 */
export type AgentRedisAccess = { kind: 'acl' } | { kind: 'url'; url: string } | { kind: 'shared' };

export interface AgentCredentialsOptions {
  /** The controller's Redis URL (a user allowed to run ACL SETUSER/DELUSER in `acl` mode). */
  redisUrl: string;
  prefix: string;
  access: AgentRedisAccess;
  /** Keeps the generated fleet secret (the store). */
  secrets: ServerSecrets;
  env?: NodeJS.ProcessEnv;
  /** How often the revoked agents are read again (revocations made by other replicas). Default 5 s. */
  refreshMs?: number;
  /**
   * The agents alive now (their heartbeat records): the Redis users of agents that are not, and that have not
   * registered for `forgetAfterMs` (default 24 h), are deleted every `collectMs` (default 1 h), so a fleet whose
   * machines come and go (autoscaling) does not pile up users. Absent: users are kept until revoked.
   */
  liveAgents?: () => Promise<string[]>;
  forgetAfterMs?: number;
  collectMs?: number;
}

const DENIED = ['-@dangerous', '-@admin', '-@pubsub', '-scan', '-randomkey', '-dbsize', '-script|flush', '-function'];

/** The controller's side of per-agent credentials: issue at registration, revoke, verify and sign reports. */
export class AgentCredentials {
  private revoked = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private collector: NodeJS.Timeout | undefined;

  private constructor(
    private readonly o: AgentCredentialsOptions,
    private readonly redis: Redis,
    private readonly keys: AgentKeys,
  ) {}

  /** Loads the fleet secret and, in `acl` mode, checks that this controller may manage ACL users. */
  static async open(o: AgentCredentialsOptions): Promise<AgentCredentials> {
    const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
    redis.on('error', () => {}); // the transport and coordination report Redis trouble already
    try {
      if (o.access.kind === 'acl') {
        // A user made and deleted at once: ACL permission, and the rules' syntax (selectors, %R/%W: Redis ≥ 7).
        const probe = aclUser(o.prefix, `probe-${randomBytes(4).toString('hex')}`);
        try {
          await redis.call('ACL', 'SETUSER', probe, ...aclRules(o.prefix, 'probe', randomBytes(16).toString('hex')));
          await redis.call('ACL', 'DELUSER', probe);
        } catch (err) {
          throw new HyperfleetError(
            'AGENT_ACL_UNAVAILABLE',
            `this controller cannot make Redis ACL users for its agents (${(err as Error).message})`,
            {
              hint: "give the controller's Redis user the ACL permission (Redis ≥ 7), or set $HYPERFLEET_AGENT_REDIS_URL to the URL of a Redis user you restricted (see README: agent credentials), or pass --insecure-shared-redis to hand agents this server's own Redis password",
            },
          );
        }
      }
      const creds = new AgentCredentials(o, redis, new AgentKeys(await loadAgentSecret(o.secrets, o.env)));
      await creds.refresh();
      creds.timer = setInterval(() => void creds.refresh().catch(() => {}), o.refreshMs ?? 5000);
      creds.timer.unref();
      if (o.liveAgents && o.access.kind === 'acl') {
        creds.collector = setInterval(() => void creds.forgetGone().catch(() => {}), o.collectMs ?? 3_600_000);
        creds.collector.unref();
      }
      return creds;
    } catch (err) {
      redis.disconnect();
      throw err;
    }
  }

  get access(): AgentRedisAccess {
    return this.o.access;
  }

  /**
   * Provisions (again: idempotent, same password) what the agent needs. `registeredBy`: the token's name, so
   * that revoking a token can cut off the agents it registered (`revokeRegisteredBy`).
   */
  async issue(agent: { agentId: string; pool: string; registeredBy?: string }): Promise<AgentGrant> {
    await this.redis.hset(this.registeredAtKey, agent.agentId, String(Date.now()));
    if (agent.registeredBy !== undefined) {
      await this.redis.hset(this.registeredByKey, agent.agentId, agent.registeredBy);
    }
    const reportKey = this.keys.reportKey(agent.agentId).toString('hex');
    const { access } = this.o;
    if (access.kind === 'url') return { redisUrl: access.url, reportKey, podRedisUrl: access.url };
    if (access.kind === 'shared') return { redisUrl: this.o.redisUrl, reportKey, podRedisUrl: this.o.redisUrl };
    const { prefix } = this.o;
    const password = this.keys.redisPassword(agent.agentId);
    const podPassword = this.keys.redisPassword(`pods\0${agent.agentId}`);
    await this.redis.call('ACL', 'SETUSER', aclUser(prefix, agent.agentId), ...aclRules(prefix, agent.pool, password));
    await this.redis.call('ACL', 'SETUSER', podAclUser(prefix, agent.agentId), ...podAclRules(prefix, podPassword));
    return {
      redisUrl: this.urlFor(aclUser(prefix, agent.agentId), password),
      reportKey,
      podRedisUrl: this.urlFor(podAclUser(prefix, agent.agentId), podPassword),
    };
  }

  private urlFor(user: string, password: string): string {
    const url = new URL(this.o.redisUrl);
    url.username = encodeURIComponent(user);
    url.password = password;
    return url.toString();
  }

  async isRevoked(agentId: string): Promise<boolean> {
    if (this.revoked.has(agentId)) return true;
    return (await this.redis.sismember(this.revokedKey, agentId)) === 1;
  }

  /**
   * Cuts the agent off at once: its ACL user is deleted (Redis closes its connections), its reports are refused
   * from now on, and the id may not register again. True when it was not revoked before.
   */
  async revoke(agentId: string): Promise<boolean> {
    const added = await this.redis.sadd(this.revokedKey, agentId);
    this.revoked.add(agentId);
    if (this.o.access.kind === 'acl') {
      await this.redis.call('ACL', 'DELUSER', aclUser(this.o.prefix, agentId), podAclUser(this.o.prefix, agentId));
    }
    return added === 1;
  }

  /** Revokes every agent the token named `registeredBy` registered (the token itself was revoked); their ids. */
  async revokeRegisteredBy(registeredBy: string): Promise<string[]> {
    const agents = Object.entries(await this.redis.hgetall(this.registeredByKey))
      .filter(([, by]) => by === registeredBy)
      .map(([agentId]) => agentId);
    for (const agentId of agents) await this.revoke(agentId);
    return agents;
  }

  /**
   * Deletes the Redis users of agents gone for good: no heartbeat record now and no registration for
   * `forgetAfterMs`. Such an agent that comes back registers again and gets its users back. Returns their ids.
   */
  async forgetGone(now = Date.now()): Promise<string[]> {
    if (this.o.access.kind !== 'acl' || !this.o.liveAgents) return [];
    const alive = new Set(await this.o.liveAgents());
    const registeredAt = await this.redis.hgetall(this.registeredAtKey);
    const mine = `hf-agent:${this.o.prefix}:`;
    const users = (await this.redis.call('ACL', 'USERS')) as string[];
    const gone = users
      .filter((u) => u.startsWith(mine))
      .map((u) => u.slice(mine.length))
      .filter((id) => !alive.has(id) && now - Number(registeredAt[id] ?? 0) > (this.o.forgetAfterMs ?? 86_400_000));
    for (const id of gone) {
      await this.redis.call('ACL', 'DELUSER', aclUser(this.o.prefix, id), podAclUser(this.o.prefix, id));
      await this.redis.hdel(this.registeredAtKey, id);
      await this.redis.hdel(this.registeredByKey, id);
    }
    return gone;
  }

  signer(): ReportSigner {
    return this.keys.controllerSigner();
  }

  verifier(onRefused: ReportVerifier['onRefused']): ReportVerifier {
    return {
      keyOf: (sender) => {
        if (sender === CONTROLLER_SENDER) return this.keys.controllerSigner().key;
        if (this.revoked.has(sender)) return undefined;
        return this.keys.reportKey(sender);
      },
      onRefused,
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.collector);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private get revokedKey(): string {
    return `${this.o.prefix}:ctl:revoked-agents`;
  }

  private get registeredByKey(): string {
    return `${this.o.prefix}:ctl:agent-registered-by`;
  }

  private get registeredAtKey(): string {
    return `${this.o.prefix}:ctl:agent-registered-at`;
  }

  private async refresh(): Promise<void> {
    this.revoked = new Set(await this.redis.smembers(this.revokedKey));
  }
}

/** The agent's ACL user; the prefix keeps fleets that share a Redis apart. */
export function aclUser(prefix: string, agentId: string): string {
  return `hf-agent:${prefix}:${agentId}`;
}

/** The Redis user of the pods an agent's Kubernetes executor runs. */
export function podAclUser(prefix: string, agentId: string): string {
  return `hf-pods:${prefix}:${agentId}`;
}

/** Append to report streams (XADD, PEXPIRE), and INFO for ioredis's ready check: nothing else. */
export function podAclRules(prefix: string, password: string): string[] {
  return ['reset', 'on', `>${password}`, '+info', `(%W~${prefix}:reports:* +xadd +pexpire)`];
}

/**
 * `reset` first, so a re-registration in another pool drops the old pool. The root permissions: the pool's queue
 * (`~`: read and write; BullMQ's Lua scripts call many data commands, each still held to the key patterns) and
 * the stop requests (`%R~`: read only), with every command but the dangerous and admin ones (FLUSHALL, KEYS,
 * CONFIG, ACL, DEBUG, …), key enumeration (SCAN, RANDOMKEY, DBSIZE) and publishing (only SUBSCRIBE is given
 * back). A selector adds report and log streams for XADD and PEXPIRE only (`%W~`: never XRANGE, nor DEL, XTRIM,
 * XACK or XGROUP, which would let an agent lose or skip other sweeps' reports). INFO comes back because ioredis's
 * ready check and BullMQ's version check send it.
 */
export function aclRules(prefix: string, pool: string, password: string): string[] {
  return [
    'reset',
    'on',
    `>${password}`,
    `~${bullPrefixOf(prefix)}:${pool}:*`,
    `%R~${prefix}:stop:*`,
    `%R~${prefix}:stops`,
    `&${prefix}:control`,
    '+@all',
    ...DENIED,
    '+subscribe',
    '+unsubscribe',
    '+info',
    `(%W~${prefix}:reports:* %W~${prefix}:logs:* +xadd +pexpire)`,
  ];
}
