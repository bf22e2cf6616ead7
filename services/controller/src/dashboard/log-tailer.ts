import type { LogStream } from '@hyperfleet/transport';

/**
 * Follows one trial's live output while someone on this replica watches it: polls the LogStream from the start
 * (non-blocking reads, so no pooled blocking connection is held per trial and `stop()` is prompt), keeps the
 * last `maxTailChars` as the snapshots' tail, and hands every later piece to `emit` in the same tick it is added
 * to the tail (so a join that reads `tail` and joins the room synchronously sees each piece exactly once).
 */
export class LogTailer {
  private cursor = '0';
  private text = '';
  private backlogRead = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void>;
  /** Resolves once the backlog (everything logged so far) is in `tail`. */
  readonly ready: Promise<void>;

  constructor(
    private readonly logs: LogStream,
    readonly trialId: string,
    private readonly emit: (text: string) => void,
    private readonly opts: { pollMs: number; maxTailChars: number; onError: (err: unknown) => void },
  ) {
    this.running = this.poll();
    this.ready = this.running;
  }

  get tail(): string {
    return this.text;
  }

  /** One read, then the next one scheduled; never rejects. */
  private async poll(): Promise<void> {
    try {
      const { chunks, cursor } = await this.logs.read(this.trialId, this.cursor);
      if (this.stopped) return;
      this.cursor = cursor;
      if (chunks.length > 0) {
        const piece = chunks.join('');
        this.text = (this.text + piece).slice(-this.opts.maxTailChars);
        if (this.backlogRead) this.emit(piece); // the backlog goes out as snapshots' logTail, not as a delta
      }
    } catch (err) {
      if (!this.stopped) this.opts.onError(err);
    } finally {
      this.backlogRead = true;
      if (!this.stopped) {
        this.timer = setTimeout(() => {
          this.running = this.poll();
        }, this.opts.pollMs);
        this.timer.unref();
      }
    }
  }

  /** Stops polling; resolves once an in-flight read has returned. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}

/** This replica's log tailers, one per trial someone here watches. */
export class LogTails {
  private readonly tailers = new Map<string, LogTailer>();

  constructor(
    private readonly logs: LogStream,
    private readonly emit: (trialId: string, text: string) => void,
    /** Whether a socket here still watches the trial (its trial or log room). */
    private readonly watched: (trialId: string) => boolean,
    private readonly opts: { pollMs: number; maxTailChars: number; onError: (trialId: string, err: unknown) => void },
  ) {}

  /** The trial's tailer, started on first use. */
  follow(trialId: string): LogTailer {
    let t = this.tailers.get(trialId);
    if (!t) {
      t = new LogTailer(this.logs, trialId, (text) => this.emit(trialId, text), {
        pollMs: this.opts.pollMs,
        maxTailChars: this.opts.maxTailChars,
        onError: (err) => this.opts.onError(trialId, err),
      });
      this.tailers.set(trialId, t);
    }
    return t;
  }

  /** Stops a trial's tail once nobody here watches it (checked after the leave/disconnect has settled). */
  release(trialId: string): void {
    setImmediate(() => {
      const t = this.tailers.get(trialId);
      if (!t || this.watched(trialId)) return;
      this.tailers.delete(trialId);
      t.stop().catch(() => undefined);
    });
  }

  releaseAll(): void {
    for (const id of [...this.tailers.keys()]) this.release(id);
  }

  /** Stops every tail (on close): one closer per tailer. */
  stoppers(): Array<() => Promise<void>> {
    const all = [...this.tailers.values()];
    this.tailers.clear();
    return all.map((t) => () => t.stop());
  }
}
