import type { MetricPoint } from '@hyperfleet/spec';

/**
 * Groups metric points so the store sees one transaction per batch instead of one per line a trial prints.
 * Flushes when `maxPoints` are buffered or `intervalMs` after the first buffered point.
 */
export class MetricBatcher {
  private buffer: MetricPoint[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: (points: MetricPoint[]) => Promise<void>,
    private readonly opts: { maxPoints: number; intervalMs: number } = { maxPoints: 2000, intervalMs: 250 },
  ) {}

  add(points: MetricPoint[]): void {
    this.buffer.push(...points);
    if (this.buffer.length >= this.opts.maxPoints) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.intervalMs);
  }

  /** Writes everything buffered so far; resolves after the write (and any earlier one) finished. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() => (batch.length > 0 ? this.sink(batch) : undefined));
    return this.flushing;
  }
}
