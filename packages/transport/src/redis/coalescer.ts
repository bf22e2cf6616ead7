/**
 * Joins calls made while a round trip is under way into the next one: the first call goes out at the end
 * of the current event-loop turn (so every call of that turn joins it), and calls made while it is in
 * flight wait for it and then go out together. Under load this turns one Redis round trip per trial into
 * one per burst — fewer socket writes here and fewer reads in Redis — and adds at most one round trip of
 * delay. Every caller gets its own answer or error (an Error in its slot of the answers), or the error of a
 * send that failed as a whole.
 */
export class Coalescer<T, R> {
  private waiting: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;
  private inFlight = false;

  /** `send` answers one result per item, in order; an Error there rejects that item's caller only. */
  constructor(private readonly send: (items: T[]) => Promise<Array<R | Error>>) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    this.inFlight = true;
    try {
      const results = await this.send(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) {
        const result = results[i];
        if (result instanceof Error) w.reject(result);
        else w.resolve(result as R);
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.inFlight = false;
      if (this.waiting.length > 0) this.schedule();
    }
  }
}
