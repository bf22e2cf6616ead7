import type { AgentInfo, SweepAction } from '@hyperfleet/contract';

export type { AgentInfo, GpuInfo } from '@hyperfleet/contract';

/** What an agent told us at register/heartbeat time (the contract's AgentInfo without the derived `status`). */
export type AgentRecord = Omit<AgentInfo, 'status'>;

/** A control request one replica hands to the replica that runs the sweep. */
export interface SweepCommand {
  id: string;
  sweepId: string;
  type: SweepAction | 'stop-trial';
  actor: string | null;
  /** The trial `stop-trial` stops. */
  trialId?: string;
}

/**
 * Cluster-wide state the controller keeps outside the store: sweep locks (one scheduling replica per
 * sweep), the agent registry (expires on its own when a machine dies), the pools agents ever served,
 * and commands forwarded between replicas. Redis in fleet mode, memory in embedded mode and unit tests.
 */
export interface Coordination {
  /** Takes the lock when free (or already ours); true when we hold it afterwards. */
  acquireLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends our lock; false when it expired or someone else holds it now (we must stop acting on it). */
  renewLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases our lock; a no-op when someone else holds it. */
  releaseLock(name: string, owner: string): Promise<void>;

  putAgent(agent: AgentRecord, ttlMs: number): Promise<void>;
  /**
   * A heartbeat: replaces the record only while it still exists (false when it expired or Redis lost it). A
   * heartbeat read before Redis restarted empty must not write the agent back, or the agent would never learn
   * to register again and re-send the reports the restart lost.
   */
  refreshAgent(agent: AgentRecord, ttlMs: number): Promise<boolean>;
  getAgent(agentId: string): Promise<AgentRecord | null>;
  listAgents(): Promise<AgentRecord[]>;

  addPool(pool: string): Promise<void>;
  listPools(): Promise<string[]>;

  pushCommand(cmd: SweepCommand): Promise<void>;
  /** Removes and returns the commands waiting for a sweep, oldest first. */
  takeCommands(sweepId: string): Promise<SweepCommand[]>;
  /** Records that a command was applied (or why not); readers poll `commandResult`. */
  completeCommand(id: string, result: CommandResult): Promise<void>;
  commandResult(id: string): Promise<CommandResult | null>;

  /**
   * Keeps a marker alive for `ttlMs`; false when it was not there (the first call, or the store lost it:
   * Redis restarted without persistence or was flushed). How a replica learns that what it read may be gone.
   */
  keepMarker(name: string, ttlMs: number): Promise<boolean>;

  /** Throws when the backing service does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type CommandResult = { ok: true } | { ok: false; code: string; message: string };
