import { Redis } from 'ioredis';
import type { AgentRecord, CommandResult, Coordination, SweepCommand } from './coordination';

// Compare-and-act scripts: only the owner may extend or delete its lock (a plain DEL could free a lock
// that expired and was taken by another replica in between).
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const RESULT_TTL_S = 300;

export interface RedisCoordinationOptions {
  url: string;
  /** Key prefix shared with the transport (e.g. `hyperfleet`); controller keys live under `<prefix>:ctl:`. */
  prefix: string;
  /** Bounds `close()`. Default 2000 ms. */
  closeTimeoutMs?: number;
  onError?: (err: Error) => void;
}

/** Coordination on Redis: SET NX PX locks, agent records with TTLs, a set of pools, command lists. */
export class RedisCoordination implements Coordination {
  private readonly redis: Redis;
  private readonly ns: string;
  private closing: Promise<void> | null = null;

  constructor(private readonly opts: RedisCoordinationOptions) {
    this.ns = `${opts.prefix}:ctl:`;
    // Fail fast on commands while Redis is away: HTTP handlers answer 503 instead of hanging.
    this.redis = new Redis(opts.url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
    this.redis.on('error', (err: Error) => opts.onError?.(err));
  }

  async keepMarker(name: string, ttlMs: number): Promise<boolean> {
    const key = `${this.ns}marker:${name}`;
    const res = await this.redis.multi().exists(key).set(key, '1', 'PX', ttlMs).exec();
    return res?.[0]?.[1] === 1;
  }

  async acquireLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const key = `${this.ns}lock:${name}`;
    if ((await this.redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK') return true;
    return (await this.redis.eval(RENEW, 1, key, owner, String(ttlMs))) === 1;
  }

  async renewLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, `${this.ns}lock:${name}`, owner, String(ttlMs))) === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, `${this.ns}lock:${name}`, owner);
  }

  async putAgent(agent: AgentRecord, ttlMs: number): Promise<void> {
    await this.redis
      .multi()
      .set(`${this.ns}agent:${agent.agentId}`, JSON.stringify(agent), 'PX', ttlMs)
      .sadd(`${this.ns}agents`, agent.agentId)
      .exec();
  }

  async refreshAgent(agent: AgentRecord, ttlMs: number): Promise<boolean> {
    // XX: only over a record that exists (the agents set already names it).
    const set = await this.redis.set(`${this.ns}agent:${agent.agentId}`, JSON.stringify(agent), 'PX', ttlMs, 'XX');
    return set === 'OK';
  }

  async getAgent(agentId: string): Promise<AgentRecord | null> {
    const raw = await this.redis.get(`${this.ns}agent:${agentId}`);
    return raw === null ? null : (JSON.parse(raw) as AgentRecord);
  }

  async listAgents(): Promise<AgentRecord[]> {
    const ids = await this.redis.smembers(`${this.ns}agents`);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => `${this.ns}agent:${id}`));
    const gone = ids.filter((_, i) => raws[i] === null);
    // The record expired (3 missed heartbeats): forget the id too, so the set does not grow forever.
    if (gone.length > 0) await this.redis.srem(`${this.ns}agents`, ...gone);
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as AgentRecord);
  }

  async addPool(pool: string): Promise<void> {
    await this.redis.sadd(`${this.ns}pools`, pool);
  }

  async listPools(): Promise<string[]> {
    return (await this.redis.smembers(`${this.ns}pools`)).sort();
  }

  async pushCommand(cmd: SweepCommand): Promise<void> {
    await this.redis.rpush(`${this.ns}cmd:${cmd.sweepId}`, JSON.stringify(cmd));
  }

  async takeCommands(sweepId: string): Promise<SweepCommand[]> {
    const key = `${this.ns}cmd:${sweepId}`;
    const res = await this.redis.multi().lrange(key, 0, -1).del(key).exec();
    const raws = (res?.[0]?.[1] ?? []) as string[];
    return raws.map((r) => JSON.parse(r) as SweepCommand);
  }

  async completeCommand(id: string, result: CommandResult): Promise<void> {
    await this.redis.set(`${this.ns}cmdres:${id}`, JSON.stringify(result), 'EX', RESULT_TTL_S);
  }

  async commandResult(id: string): Promise<CommandResult | null> {
    const raw = await this.redis.get(`${this.ns}cmdres:${id}`);
    return raw === null ? null : (JSON.parse(raw) as CommandResult);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const timeout = this.opts.closeTimeoutMs ?? 2000;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.redis.quit().catch(() => undefined),
          new Promise((resolve) => {
            timer = setTimeout(resolve, timeout);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        this.redis.disconnect();
      }
    })();
    return this.closing;
  }
}
