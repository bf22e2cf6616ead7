import type { CurveView } from '@hyperfleet/domain';

/** What a snapshot derives from one finished trial's full history of a key. */
export interface CachedCurve {
  curve: CurveView | null;
  last: { value: number; step: number } | null;
  /** Finite reports (the early-stopping rules' iteration count). */
  reports: number;
  /** The step of the n-th finite report, for the rung iterations asked for (n → step). */
  stepsAt: Record<number, number>;
}

/**
 * Downsampled curves of finished trials (their points no longer change), so a sweep page opened again, or a
 * running sweep's page, reads only the histories of the trials still running. The key carries the attempt,
 * so a retried trial is read afresh. Bounded LRU by entry count.
 */
export class CurveCache {
  private readonly entries = new Map<string, CachedCurve>();

  constructor(private readonly max = 5000) {}

  private static key(trialId: string, attempts: number, key: string, maxPoints: number): string {
    return `${trialId}\u0000${attempts}\u0000${key}\u0000${maxPoints}`;
  }

  get(trialId: string, attempts: number, key: string, maxPoints: number): CachedCurve | undefined {
    const k = CurveCache.key(trialId, attempts, key, maxPoints);
    const hit = this.entries.get(k);
    if (hit) {
      this.entries.delete(k);
      this.entries.set(k, hit);
    }
    return hit;
  }

  set(trialId: string, attempts: number, key: string, maxPoints: number, value: CachedCurve): void {
    this.entries.set(CurveCache.key(trialId, attempts, key, maxPoints), value);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
