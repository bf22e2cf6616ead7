import {
  type Clock,
  DEFAULT_QUOTA,
  errorText,
  type Logger,
  type ProjectQuotas,
  type ShareClaim,
  type SweepEngine,
  shareFreeSlots,
} from '@hyperfleet/engine';
import type { TrialQueue } from '@hyperfleet/transport';
import type { Coordination } from './coordination';

export interface FairShareOptions {
  /** Per-project slot caps and weights; a project not named gets no cap and weight 1. */
  quotas: ProjectQuotas;
  /** How often free slots are looked for without a nudge (agents registering, jobs taken). Default 250 ms. */
  passMs?: number;
}

export interface FairShareGateDeps extends FairShareOptions {
  coordination: Coordination;
  queue: TrialQueue;
  /** The sweeps this replica runs. */
  runners: () => SweepEngine[];
  /** An agent heard from within this long counts toward its pool's slots. */
  aliveMs: number;
  clock: Clock;
  log: Logger;
}

/**
 * Fleet fair share, by holding jobs back: a sweep's new jobs wait in its dispatcher (not in the queue) and
 * this pass enqueues only as many as the pool has free slots — the live agents' slots minus the jobs the
 * queue holds, waiting or active — choosing whose by weighted fair share (see shareFreeSlots). The queue
 * then never holds a backlog for one project to hide another's jobs behind: when a slot frees, the next job
 * is picked here. A job once enqueued is the same BullMQ job as before (id = trial + attempt), so
 * exactly-once, loss detection and reconciliation are untouched; a held job is in no queue, and a stop
 * ends it on the spot.
 *
 * Per replica: each replica shares the slots among the sweeps it runs (the free slots it sees are the
 * fleet's); with several replicas, caps and weights hold per replica.
 */
export class FairShareGate {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(private readonly deps: FairShareGateDeps) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.deps.passMs ?? 250);
    this.timer.unref();
  }

  /** Something changed (jobs waiting, a trial ended): one more pass soon; passes never overlap. */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (err) {
          this.deps.log.warn('fair-share pass failed; tried again shortly', { error: errorText(err) });
        }
      } while (this.again && !this.closed);
      this.running = null;
    })();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One look for free slots in every pool some sweep waits on; awaits the enqueues it granted. */
  private async pass(): Promise<void> {
    const runners = this.deps.runners();
    const claims = new Map<string, ShareClaim[]>();
    const used = new Map<string, number>();
    const bySweep = new Map<string, SweepEngine>();
    for (const runner of runners) {
      bySweep.set(runner.sweepId, runner);
      const project = runner.project;
      for (const [pool, share] of runner.shares()) {
        used.set(project, (used.get(project) ?? 0) + share.inUse);
        const list = claims.get(pool) ?? [];
        list.push({ sweepId: runner.sweepId, project, ...share });
        claims.set(pool, list);
      }
    }
    const waiting = [...claims].filter(([, list]) => list.some((c) => c.held > 0));
    if (waiting.length === 0) return;
    const slots = await this.liveSlots();
    const quotaOf = (project: string) => this.deps.quotas.get(project) ?? DEFAULT_QUOTA;
    const sends: Promise<number>[] = [];
    for (const [pool, list] of waiting) {
      const capacity = slots.get(pool) ?? 0;
      if (capacity === 0) continue;
      const depth = await this.deps.queue.depth(pool);
      const free = capacity - depth.waiting - depth.active;
      if (free <= 0) continue;
      for (const [sweepId, n] of shareFreeSlots(free, list, quotaOf, used)) {
        const runner = bySweep.get(sweepId);
        if (runner) sends.push(runner.admit(pool, n));
      }
    }
    await Promise.all(sends);
  }

  /** Slots per pool of the agents that heartbeat and take work (not draining). */
  private async liveSlots(): Promise<Map<string, number>> {
    const now = this.deps.clock.now();
    const slots = new Map<string, number>();
    for (const agent of await this.deps.coordination.listAgents()) {
      if (agent.draining || now - agent.lastHeartbeat > this.deps.aliveMs) continue;
      slots.set(agent.pool, (slots.get(agent.pool) ?? 0) + agent.slots);
    }
    return slots;
  }
}
