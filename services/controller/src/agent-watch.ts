import type { AgentPresence, Clock } from '@hyperfleet/engine';
import { jobIdOf } from '@hyperfleet/transport';
import type { Coordination } from './coordination';

const FORGET_AFTER_WINDOWS = 30;
const MARKER_TTL_WINDOWS = 30;

export interface AgentWatchOptions {
  coordination: Coordination;
  clock: Clock;
  /** An agent silent this long is gone: the attempts it started are lost. */
  lostAfterMs: number;
  /** Reads further apart than this are a gap (an outage of the store, a paused process): judge nobody yet. */
  maxGapMs: number;
  /** This replica's marker in the store: when it vanishes, so did the agents' records (Redis restarted empty). */
  marker: string;
}

/**
 * The controller's view of the agents' heartbeats: which agent runs which attempt, and which agents went
 * silent. Read from the coordination store every pass; each agent's last heartbeat is also remembered here,
 * so a store that lost its records (Redis restarted empty) does not make a live agent look dead. It judges
 * nobody until it has read the records without a gap for a whole window: after a controller restart or an
 * outage of the store, every agent gets one window to be heard again, and a blip shorter than that loses
 * nothing.
 */
export class AgentWatch implements AgentPresence {
  private readonly lastHeard = new Map<string, number>();
  /** agent → the attempts (job ids) its latest heartbeat listed; kept when its record vanishes with Redis. */
  private readonly running = new Map<string, Set<string>>();
  /** agent → the pool its latest heartbeat named. */
  private readonly pools = new Map<string, string>();
  private readingSince: number | null = null;
  private lastRead: number | null = null;

  constructor(private readonly o: AgentWatchOptions) {}

  /** One read of the agents' records; a failed read starts the window again. */
  async refresh(): Promise<void> {
    let agents: Awaited<ReturnType<Coordination['listAgents']>>;
    try {
      agents = await this.o.coordination.listAgents();
    } catch {
      this.readingSince = null;
      return;
    }
    // A store that lost its data since the last read holds no records yet of agents that are alive: they
    // register again within a heartbeat or two. Until a whole window has passed, nobody is judged.
    const kept = await this.o.coordination
      .keepMarker(this.o.marker, MARKER_TTL_WINDOWS * this.o.lostAfterMs)
      .catch(() => false);
    const at = this.o.clock.now();
    if (!kept || this.readingSince === null || this.lastRead === null || at - this.lastRead > this.o.maxGapMs) {
      this.readingSince = at;
    }
    this.lastRead = at;
    for (const [agentId, heard] of this.lastHeard) {
      // Gone for many windows: forget it (bounded memory on a fleet whose machines come and go).
      if (at - heard > FORGET_AFTER_WINDOWS * this.o.lostAfterMs) {
        this.lastHeard.delete(agentId);
        this.running.delete(agentId);
        this.pools.delete(agentId);
      }
    }
    for (const a of agents) {
      const heard = this.lastHeard.get(a.agentId) ?? 0;
      if (a.lastHeartbeat < heard) continue; // an older record than one already seen
      this.lastHeard.set(a.agentId, a.lastHeartbeat);
      this.running.set(a.agentId, new Set(a.running.map((r) => jobIdOf(r.trialId, r.attempt))));
      this.pools.set(a.agentId, a.pool);
    }
  }

  poolOf(agentId: string): string | undefined {
    return this.pools.get(agentId);
  }

  /** How long the agent has been silent, when that is longer than the window and the view can tell; else null. */
  silentFor(agentId: string): number | null {
    if (!this.judging()) return null;
    const now = this.o.clock.now();
    const since = Math.max(this.lastHeard.get(agentId) ?? 0, this.readingSince ?? now);
    const silent = now - since;
    return silent > this.o.lostAfterMs ? silent : null;
  }

  runs(trialId: string, attempt: number): boolean | undefined {
    if (!this.judging()) return undefined;
    const job = jobIdOf(trialId, attempt);
    for (const [agentId, jobs] of this.running) {
      if (jobs.has(job) && this.silentFor(agentId) === null) return true;
    }
    return false;
  }

  private judging(): boolean {
    return this.readingSince !== null && this.o.clock.now() - this.readingSince >= this.o.lostAfterMs;
  }
}
