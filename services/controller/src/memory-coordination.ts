import type { Clock } from '@hyperfleet/engine';
import type { AgentRecord, CommandResult, Coordination, SweepCommand } from './coordination';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/** Coordination for one process (embedded mode, unit tests): the same semantics as Redis, TTLs on the clock. */
export class MemoryCoordination implements Coordination {
  private readonly locks = new Map<string, Expiring<string>>();
  private readonly agents = new Map<string, Expiring<AgentRecord>>();
  private readonly markers = new Map<string, Expiring<boolean>>();
  private readonly pools = new Set<string>();
  private readonly commands = new Map<string, SweepCommand[]>();
  private readonly results = new Map<string, CommandResult>();

  constructor(private readonly clock: Clock = { now: () => Date.now() }) {}

  async acquireLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = this.live(this.locks, name);
    if (held !== undefined && held !== owner) return false;
    this.locks.set(name, { value: owner, expiresAt: this.clock.now() + ttlMs });
    return true;
  }

  async renewLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    if (this.live(this.locks, name) !== owner) return false;
    this.locks.set(name, { value: owner, expiresAt: this.clock.now() + ttlMs });
    return true;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    if (this.live(this.locks, name) === owner) this.locks.delete(name);
  }

  async putAgent(agent: AgentRecord, ttlMs: number): Promise<void> {
    this.agents.set(agent.agentId, { value: agent, expiresAt: this.clock.now() + ttlMs });
  }

  async refreshAgent(agent: AgentRecord, ttlMs: number): Promise<boolean> {
    if (this.live(this.agents, agent.agentId) === undefined) return false;
    await this.putAgent(agent, ttlMs);
    return true;
  }

  async getAgent(agentId: string): Promise<AgentRecord | null> {
    return this.live(this.agents, agentId) ?? null;
  }

  async listAgents(): Promise<AgentRecord[]> {
    const out: AgentRecord[] = [];
    for (const id of [...this.agents.keys()]) {
      const agent = this.live(this.agents, id);
      if (agent) out.push(agent);
    }
    return out;
  }

  async addPool(pool: string): Promise<void> {
    this.pools.add(pool);
  }

  async listPools(): Promise<string[]> {
    return [...this.pools].sort();
  }

  async pushCommand(cmd: SweepCommand): Promise<void> {
    const list = this.commands.get(cmd.sweepId) ?? [];
    list.push(cmd);
    this.commands.set(cmd.sweepId, list);
  }

  async takeCommands(sweepId: string): Promise<SweepCommand[]> {
    const list = this.commands.get(sweepId) ?? [];
    this.commands.delete(sweepId);
    return list;
  }

  async completeCommand(id: string, result: CommandResult): Promise<void> {
    this.results.set(id, result);
  }

  async commandResult(id: string): Promise<CommandResult | null> {
    return this.results.get(id) ?? null;
  }

  async keepMarker(name: string, ttlMs: number): Promise<boolean> {
    const held = this.live(this.markers, name) !== undefined;
    this.markers.set(name, { value: true, expiresAt: this.clock.now() + ttlMs });
    return held;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  /** The value when present and not expired (expired entries are dropped on the way). */
  private live<T>(map: Map<string, Expiring<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }
}
