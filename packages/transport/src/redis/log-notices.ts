import type { Redis } from 'ioredis';
import { closeClient, createClient, type ErrorSink } from './redis-clients';

/**
 * One subscriber connection for every log follower of this process: appenders PUBLISH the trial id on
 * `channel` after each append, and this wakes the followers of that trial. So followers cost no connection
 * each (a blocking XREAD per follower held one of a small pool, and a busy pool made fresh readers wait).
 */
export class LogNotices {
  private subscriber: Redis | undefined;
  private ready: Promise<void> | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onError: ErrorSink,
  ) {}

  /**
   * Registers a follower of `trialId` (once the subscription is live, so an append made after this resolves is
   * not missed): `next(ms)` resolves at the next append (or one since the last `next`) or after `ms`;
   * `dispose()` unregisters.
   */
  async follow(trialId: string, maxWaitMs: number): Promise<{ next(ms: number): Promise<void>; dispose(): void }> {
    // Redis down: do not wait for the subscription past `maxWaitMs` (the follower re-reads on its timer).
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => {
      timer = setTimeout(r, maxWaitMs);
    });
    await Promise.race([this.subscribe(), late]);
    clearTimeout(timer);
    let wake: (() => void) | null = null;
    let pending = false;
    const waiter = () => {
      pending = true;
      wake?.();
    };
    const set = this.waiters.get(trialId) ?? new Set<() => void>();
    this.waiters.set(trialId, set);
    set.add(waiter);
    return {
      next: (ms) =>
        new Promise<void>((resolve) => {
          if (pending || this.closed) {
            pending = false;
            return resolve();
          }
          const timer = setTimeout(done, ms);
          function done() {
            clearTimeout(timer);
            wake = null;
            pending = false;
            resolve();
          }
          wake = done;
        }),
      dispose: () => {
        set.delete(waiter);
        if (set.size === 0 && this.waiters.get(trialId) === set) this.waiters.delete(trialId);
      },
    };
  }

  private subscribe(): Promise<void> {
    if (this.ready) return this.ready;
    const conn = createClient(this.url, 'log-notices', this.onError, true);
    this.subscriber = conn;
    conn.on('message', (_channel: string, trialId: string) => {
      for (const w of this.waiters.get(trialId) ?? []) w();
    });
    // ioredis subscribes again by itself after a reconnect; followers re-read on a timer meanwhile.
    this.ready = conn.subscribe(this.channel).then(
      () => undefined,
      () => undefined,
    );
    return this.ready;
  }

  /** Wakes every follower (their reads return what is there) and drops the connection. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    for (const set of this.waiters.values()) for (const w of set) w();
    this.waiters.clear();
    const conn = this.subscriber;
    this.subscriber = undefined;
    if (conn) {
      conn.disconnect();
      await closeClient(conn, timeoutMs);
    }
  }
}
