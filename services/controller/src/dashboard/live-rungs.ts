import type { MetricPoint, RungView } from '@hyperfleet/domain';
import type { TrialEvent } from '@hyperfleet/engine';
import type { TrackingStore } from '@hyperfleet/store';
import type { RungTracker } from './rungs';
import { EARLY_STOPPED_EVENT } from './snapshots';

/**
 * The early-stopping rungs of the sweeps watched here, kept current between snapshots and sent to the sweep's
 * room as `sweep:rungs` when they change, at most once per `everyMs` per sweep. A tracker starts with a
 * join's snapshot and is fed by this replica's hooks: with several controller replicas, a page on another
 * replica than the one leading the sweep keeps the rungs of its last join.
 */
export class LiveRungs {
  private readonly trackers = new Map<string, RungTracker>();
  private readonly dirty = new Set<string>();
  private readonly stopsChanged = new Set<string>();
  private readonly sentAt = new Map<string, number>();
  private sending = false;

  constructor(
    private readonly store: TrackingStore,
    private readonly now: () => number,
    private readonly everyMs = 1000,
  ) {}

  /**
   * A join's snapshot read the sweep: follow it from there (null: the sweep has no rungs). The pages already
   * in the room get what changed since the rungs they were last sent.
   */
  track(sweepId: string, tracker: RungTracker | null): void {
    if (!tracker) {
      this.forget(sweepId);
      return;
    }
    const older = this.trackers.get(sweepId);
    if (older) {
      tracker.follow(older);
      this.dirty.add(sweepId);
    }
    this.trackers.set(sweepId, tracker);
  }

  onPoints(sweepId: string, metric: string | null | undefined, batch: readonly MetricPoint[]): void {
    const tracker = this.trackers.get(sweepId);
    if (!tracker || !metric) return;
    let changed = false;
    for (const p of batch) if (p.key === metric && tracker.addPoint(p.trialId, p.step, p.value)) changed = true;
    if (changed) this.dirty.add(sweepId);
  }

  onTrialEvent(e: TrialEvent): void {
    const tracker = this.trackers.get(e.sweepId);
    if (!tracker) return;
    if (e.type === 'trial.started' && e.attempt > 1) tracker.restart(e.trialId);
    if (e.type === 'trial.finished' && e.trial.status === 'stopped') {
      this.stopsChanged.add(e.sweepId);
      this.dirty.add(e.sweepId);
    }
  }

  /** Sends what changed; drops the sweeps nobody here watches any more. */
  async send(watched: (sweepId: string) => boolean, emit: (sweepId: string, rungs: RungView[]) => void) {
    if (this.sending) return;
    this.sending = true;
    try {
      for (const sweepId of this.trackers.keys()) if (!watched(sweepId)) this.forget(sweepId);
      const now = this.now();
      for (const sweepId of [...this.dirty]) {
        const tracker = this.trackers.get(sweepId);
        if (!tracker) continue;
        if (now - (this.sentAt.get(sweepId) ?? 0) < this.everyMs) continue;
        this.dirty.delete(sweepId);
        if (this.stopsChanged.delete(sweepId)) {
          tracker.setStops(await this.store.listEvents({ sweepId, type: EARLY_STOPPED_EVENT }));
        }
        const rungs = tracker.changed();
        if (!rungs) continue;
        this.sentAt.set(sweepId, now);
        emit(sweepId, rungs);
      }
    } finally {
      this.sending = false;
    }
  }

  private forget(sweepId: string): void {
    this.trackers.delete(sweepId);
    this.dirty.delete(sweepId);
    this.stopsChanged.delete(sweepId);
    this.sentAt.delete(sweepId);
  }
}
