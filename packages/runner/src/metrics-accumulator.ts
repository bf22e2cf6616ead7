import { type MetricSample, stepDropReason } from '@hyperfleet/domain';
import type { ParsedBatch } from './stdout-metrics';

/** Collects every source's batches: last value per key, the malformed count, and forwards to onMetrics. */
export class MetricsAccumulator {
  malformedLines = 0;
  /** First error thrown by the onMetrics callback (a bug in the caller must not kill the trial). */
  callbackError: Error | null = null;
  private readonly last = new Map<string, number>();

  constructor(private readonly onMetrics?: (points: MetricSample[]) => void) {}

  add(batch: ParsedBatch): void {
    this.malformedLines += batch.malformed;
    if (batch.points.length === 0) return;
    // A point the ingest will drop (step -1, say) is passed on to be counted there, but is no final value.
    for (const point of batch.points) if (stepDropReason(point.step) === null) this.last.set(point.key, point.value);
    try {
      this.onMetrics?.(batch.points);
    } catch (error) {
      this.callbackError ??= error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Counted outside a parser, e.g. lines dropped for exceeding the line cap. */
  addMalformed(count: number): void {
    this.malformedLines += count;
  }

  finalMetrics(): Record<string, number> {
    // fromEntries defines own properties, so a metric named "__proto__" cannot touch the prototype.
    return Object.fromEntries(this.last);
  }
}
