import type { TrialStatus } from '@hyperfleet/domain';
import type { IngestMeter } from '@hyperfleet/engine';
import type { TrackingStore } from '@hyperfleet/store';
import type { TrialQueue } from '@hyperfleet/transport';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Coordination } from './coordination';

export interface ControllerMetricsDeps {
  store: TrackingStore;
  queue: TrialQueue;
  coordination: Coordination;
  /** Sweeps this replica schedules. */
  leading: () => string[];
  /** Jobs this replica holds back for a fair-share slot, per pool (a pool may appear more than once). */
  held?: () => { pool: string; jobs: number }[];
  heartbeatMs: number;
  now?: () => number;
}

/**
 * The controller's Prometheus metrics, on a registry of its own (several apps in one test process must not
 * collide). Gauges are computed at scrape time from the queue, the store and the agent registry.
 */
export class ControllerMetrics implements IngestMeter {
  readonly registry = new Registry();
  private readonly ingestedTotal: Counter;
  private readonly droppedTotal: Counter<'reason'>;

  constructor(deps: ControllerMetricsDeps) {
    const registers = [this.registry];
    const now = deps.now ?? Date.now;
    this.ingestedTotal = new Counter({
      name: 'hyperfleet_metric_points_ingested_total',
      help: 'Metric points written to the store (rate() gives points per second)',
      registers,
    });
    this.droppedTotal = new Counter({
      name: 'hyperfleet_metric_points_dropped_total',
      help: 'Metric points dropped on ingest, by reason (domain DROP_REASONS: step_negative, step_not_integer, step_too_large, bad_value, bad_key; or stale_attempt)',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'hyperfleet_queue_depth',
      help: 'Jobs per pool and state (waiting, active; held: kept back by this replica for a fair-share slot)',
      labelNames: ['pool', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const pool of await deps.coordination.listPools()) {
          const d = await deps.queue.depth(pool);
          this.set({ pool, state: 'waiting' }, d.waiting);
          this.set({ pool, state: 'active' }, d.active);
        }
        // Held jobs wait for a slot as queued ones did: an autoscaler on the sum must still see them (a pool
        // scaled to zero has no free slot, so nothing reaches its queue until a worker starts).
        for (const { pool, jobs } of deps.held?.() ?? []) this.inc({ pool, state: 'held' }, jobs);
      },
    });
    new Gauge({
      name: 'hyperfleet_trials',
      help: 'Trials of running and paused sweeps, by state',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        const totals: Partial<Record<TrialStatus, number>> = {};
        const sweeps = await deps.store.listSweeps({ limit: 10_000 });
        for (const s of sweeps) {
          if (s.status !== 'running' && s.status !== 'paused') continue;
          const counts = await deps.store.countTrials(s.id);
          for (const [state, n] of Object.entries(counts)) {
            totals[state as TrialStatus] = (totals[state as TrialStatus] ?? 0) + n;
          }
        }
        for (const [state, n] of Object.entries(totals)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'hyperfleet_agents',
      help: 'Registered agents by status (alive: heartbeat within 2 intervals)',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        const agents = await deps.coordination.listAgents();
        const alive = agents.filter((a) => now() - a.lastHeartbeat <= 2 * deps.heartbeatMs).length;
        this.set({ status: 'alive' }, alive);
        this.set({ status: 'stale' }, agents.length - alive);
      },
    });
    new Gauge({
      name: 'hyperfleet_sweeps_scheduled',
      help: 'Sweeps this controller replica schedules (holds the lock of)',
      registers,
      collect() {
        this.set(deps.leading().length);
      },
    });
  }

  ingested(points: number): void {
    this.ingestedTotal.inc(points);
  }

  dropped(reason: string, points: number): void {
    this.droppedTotal.inc({ reason }, points);
  }
}
