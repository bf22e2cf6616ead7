import type { Redis } from 'ioredis';
import { closeClient, createClient, type ErrorSink } from './redis-clients';

/** How long one shared XREAD blocks before it is issued again (a follower that left is dropped then). */
const BLOCK_MS = 5000;

interface Watched {
  /** The newest entry id seen on the trial's stream. */
  lastId: string;
  waiters: Set<() => void>;
}

export interface LogFollower {
  /** Resolves at the trial's next append (or one since the last `next`), or after `ms`. */
  next(ms: number): Promise<void>;
  dispose(): void;
}

/**
 * One blocking connection watches the streams of every trial someone follows on this process: a single
 * `XREAD BLOCK` over all their keys, interrupted (CLIENT UNBLOCK) when a trial is added, wakes that trial's
 * followers, who then read for themselves with non-blocking reads. So 100 followers cost one connection, not
 * one each, and nothing is asked of the appenders (agents whose Redis user may not publish).
 */
export class LogWatch {
  private conn: Redis | undefined;
  private connId: number | null = null;
  private readonly watched = new Map<string, Watched>();
  private looping = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly keyOf: (trialId: string) => string,
    private readonly client: () => Redis,
    private readonly onError: ErrorSink,
  ) {}

  /**
   * Registers a follower of `trialId`. Appends made after this resolves wake it; one racing the registration
   * may only be seen at the follower's next timed re-read.
   */
  async follow(trialId: string): Promise<LogFollower> {
    let w = this.watched.get(trialId);
    if (!w) {
      const lastId = await this.newestId(trialId);
      w = this.watched.get(trialId) ?? { lastId, waiters: new Set() };
      this.watched.set(trialId, w);
      this.restart();
    }
    const watched = w;
    let wake: (() => void) | null = null;
    let pending = false;
    const waiter = () => {
      pending = true;
      wake?.();
    };
    watched.waiters.add(waiter);
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
        watched.waiters.delete(waiter);
        // Dropped from the next XREAD; no need to interrupt the current one.
        if (watched.waiters.size === 0 && this.watched.get(trialId) === watched) this.watched.delete(trialId);
      },
    };
  }

  private async newestId(trialId: string): Promise<string> {
    try {
      const last = (await this.client().xrevrange(this.keyOf(trialId), '+', '-', 'COUNT', 1))[0];
      return last ? last[0] : '0-0';
    } catch {
      return '0-0';
    }
  }

  /** Starts the loop, or makes the blocked XREAD return so that it is issued again with the new key. */
  private restart(): void {
    if (this.closed) return;
    if (!this.looping) {
      this.looping = true;
      void this.loop();
      return;
    }
    if (this.connId !== null)
      this.client()
        .client('UNBLOCK', this.connId)
        .catch(() => undefined);
  }

  private connection(): Redis {
    if (this.conn) return this.conn;
    const conn = createClient(this.url, 'log-watch', this.onError, true);
    conn.on('ready', () => {
      this.connId = null;
      conn.client('ID').then(
        (id) => {
          this.connId = Number(id);
        },
        () => undefined,
      );
    });
    this.conn = conn;
    return conn;
  }

  private async loop(): Promise<void> {
    const conn = this.connection();
    while (!this.closed && this.watched.size > 0) {
      const trials = [...this.watched.keys()];
      const ids = trials.map((t) => this.watched.get(t)?.lastId ?? '0-0');
      try {
        const res = (await conn.call(
          'XREAD',
          'COUNT',
          100,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...trials.map(this.keyOf),
          ...ids,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        const newest = new Map((res ?? []).map(([key, entries]) => [key, entries[entries.length - 1]?.[0]]));
        for (const trialId of trials) {
          const last = newest.get(this.keyOf(trialId));
          const w = this.watched.get(trialId);
          if (!last || !w) continue;
          w.lastId = last;
          for (const wake of w.waiters) wake();
        }
      } catch {
        // Redis away: followers re-read on their timers; try again shortly.
        if (!this.closed) await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.looping = false;
    // A follower that arrived as the loop ended.
    if (!this.closed && this.watched.size > 0) this.restart();
  }

  /** Wakes every follower (their reads return what is there) and drops the connection. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    for (const w of this.watched.values()) for (const wake of w.waiters) wake();
    this.watched.clear();
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      conn.disconnect();
      await closeClient(conn, timeoutMs);
    }
  }
}
