import { Fifo } from '../fifo';
import { assertId } from '../names';
import type { AgentReport, Closeable, ReportStream } from '../ports';
import { TransportError } from '../transport-error';

export interface InProcessReportsOptions {
  /** Most reports handed to one handler call. Default 1,000. */
  maxBatch?: number;
  /** Wait before re-delivering a batch whose handler threw. Default 1 s. */
  retryDelayMs?: number;
}

interface StreamEntry {
  reports: AgentReport[];
}

interface Group {
  undelivered: Fifo<StreamEntry>;
  wake: Set<() => void>;
}

/**
 * One "consumer group" per sweep, like the Redis adapter: each published batch goes to one subscriber,
 * in order; a batch is dropped only after its handler resolves. A subscriber that closes mid-handler,
 * or whose handler throws, puts its batch back at the front (at-least-once).
 */
export class InProcessReportStream implements ReportStream {
  private readonly groups = new Map<string, Group>();
  private readonly subs = new Set<{ close(): Promise<void> }>();
  private readonly maxBatch: number;
  private readonly retryDelayMs: number;
  private closed = false;

  constructor(opts: InProcessReportsOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 1000;
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
  }

  private group(sweepId: string): Group {
    let g = this.groups.get(sweepId);
    if (!g) {
      g = { undelivered: new Fifo(), wake: new Set() };
      this.groups.set(sweepId, g);
    }
    return g;
  }

  async publish(sweepId: string, reports: AgentReport[]): Promise<void> {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the in-process report stream is closed');
    assertId('sweep id', sweepId);
    if (reports.length === 0) return;
    const g = this.group(sweepId);
    // Cloned: the Redis adapter serializes, so a publisher may reuse its arrays; structuredClone keeps NaN/±Infinity.
    g.undelivered.push({ reports: structuredClone(reports) });
    for (const wake of g.wake) wake();
  }

  subscribe(sweepId: string, _consumer: string, handler: (reports: AgentReport[]) => Promise<void>): Closeable {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the in-process report stream is closed');
    assertId('sweep id', sweepId);
    const g = this.group(sweepId);
    let open = true;
    let inFlight: StreamEntry[] | undefined;
    let stopWaiting: (() => void) | undefined;

    const wait = (ms?: number) =>
      new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          clearTimeout(timer);
          g.wake.delete(done);
          stopWaiting = undefined;
          resolve();
        };
        if (ms === undefined) g.wake.add(done);
        else timer = setTimeout(done, ms);
        stopWaiting = done;
      });

    const putBack = (entries: StreamEntry[]) => {
      // Back to the front, in their original order, so ordering survives redelivery.
      const rest: StreamEntry[] = [];
      for (let e = g.undelivered.shift(); e; e = g.undelivered.shift()) rest.push(e);
      for (const e of [...entries, ...rest]) g.undelivered.push(e);
      for (const wake of g.wake) wake();
    };

    const loop = async () => {
      while (open) {
        if (g.undelivered.size === 0) {
          await wait();
          continue;
        }
        const batch: StreamEntry[] = [];
        let count = 0;
        while (g.undelivered.size > 0 && (count === 0 || count < this.maxBatch)) {
          const e = g.undelivered.shift()!;
          batch.push(e);
          count += e.reports.length;
        }
        inFlight = batch;
        try {
          await handler(batch.flatMap((e) => e.reports));
          inFlight = undefined;
        } catch {
          if (inFlight === batch) {
            inFlight = undefined;
            putBack(batch);
          }
          if (open) await wait(this.retryDelayMs);
        }
      }
    };
    void loop();

    const sub = {
      close: async () => {
        if (!open) return;
        open = false;
        this.subs.delete(sub);
        // Unacknowledged work goes back for another subscriber, like a Redis pending entry claimed later.
        if (inFlight) {
          putBack(inFlight);
          inFlight = undefined;
        }
        stopWaiting?.();
      },
    };
    this.subs.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subs].map((s) => s.close()));
  }
}
