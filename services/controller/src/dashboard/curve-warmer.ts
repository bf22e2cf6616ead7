import { errorText, type Logger } from '@hyperfleet/engine';
import type { TrialRecord } from '@hyperfleet/store';
import { type SnapshotSource, warmCurve } from './snapshots';

/** Finished trials queued for warming at most; past it a later join reads their histories (a cold read). */
const MAX_QUEUED = 10_000;
/** Trials warmed per pass. */
const PER_PASS = 64;
/** Curve sizes remembered (the most recently asked for). */
const SIZES_KEPT = 3;

/**
 * Puts finished trials' curves into the cache in the background, at the sizes clients recently asked for, so a
 * sweep page opened later reads only the histories of trials still running. One pass at a time; errors only
 * cost a cold read later.
 */
export class CurveWarmer {
  private readonly queue: Array<{ sweepId: string; trial: TrialRecord }> = [];
  private readonly sizes: number[] = [];
  private warming = false;

  constructor(
    private readonly src: SnapshotSource,
    private readonly defaultSize: number,
    private readonly log: Logger,
    private readonly stopped: () => boolean,
  ) {}

  finished(sweepId: string, trial: TrialRecord): void {
    if (this.queue.length < MAX_QUEUED) this.queue.push({ sweepId, trial });
  }

  /** Remembers a curve size a client asked for. */
  askedFor(n: number): void {
    const i = this.sizes.indexOf(n);
    if (i >= 0) this.sizes.splice(i, 1);
    this.sizes.unshift(n);
    this.sizes.length = Math.min(this.sizes.length, SIZES_KEPT);
  }

  /** Starts a pass over the next queued trials unless one is running. */
  pass(): void {
    if (this.queue.length === 0 || this.warming) return;
    this.warming = true;
    const batch = this.queue.splice(0, PER_PASS);
    const sizes = this.sizes.length > 0 ? [...this.sizes] : [this.defaultSize];
    (async () => {
      for (const { sweepId, trial } of batch) {
        if (this.stopped()) return;
        const sweep = await this.src.store.getSweep(sweepId);
        if (sweep) await warmCurve(this.src, sweep, trial, sizes);
      }
    })()
      .catch((err: unknown) => this.log.warn('dashboard: caching curves failed', { error: errorText(err) }))
      .finally(() => {
        this.warming = false;
      });
  }
}
