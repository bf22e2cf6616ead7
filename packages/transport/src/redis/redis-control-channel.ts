import type { Redis } from 'ioredis';
import { once } from '../close-all';
import { assertId } from '../names';
import type { ControlChannel, StopSubscription } from '../ports';
import { TransportError } from '../transport-error';
import { Coalescer } from './coalescer';
import { closeClient, createClient, reportErrors } from './redis-clients';
import type { ResolvedRedisOptions } from './redis-options';

/**
 * Stop requests: `SET ${prefix}:stop:${trialId}` (the source of truth an agent re-checks, so a missed
 * message is never a missed stop), the trial in the `${prefix}:stops` sorted set (scored by expiry) so a new
 * subscriber learns the stops already in force, plus PUBLISH on `${prefix}:control` so a running agent reacts
 * at once.
 */
export class RedisControlChannel implements ControlChannel {
  private readonly subscriptions = new Set<Subscription>();
  private subscriber: Redis | undefined;
  /** Bumped on every disconnect: a load that began before it must not mark anyone as listening. */
  private epoch = 0;
  private subscribed = false;
  private closed = false;
  // Trial starts that read their key: the reads of one burst are one EXISTS … round trip.
  private readonly checks = new Coalescer<string, boolean>(async (keys) => {
    const pipeline = this.client().pipeline();
    for (const key of keys) pipeline.exists(key);
    return ((await pipeline.exec()) ?? []).map(([error, n]) => error ?? n === 1);
  });

  private readonly onError: (err: unknown) => void;

  constructor(
    private readonly o: ResolvedRedisOptions,
    private readonly client: () => Redis,
  ) {
    this.onError = reportErrors(o.onError, 'control channel');
  }

  private get channel(): string {
    return `${this.o.prefix}:control`;
  }

  private get stopsKey(): string {
    return `${this.o.prefix}:stops`;
  }

  private stopKey(trialId: string): string {
    return `${this.o.prefix}:stop:${trialId}`;
  }

  async requestStop(trialId: string): Promise<void> {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis control channel is closed');
    assertId('trial id', trialId);
    const now = Date.now();
    await this.client()
      .multi()
      .set(this.stopKey(trialId), '1', 'PX', this.o.stopTtlMs)
      .zadd(this.stopsKey, now + this.o.stopTtlMs, trialId)
      .zremrangebyscore(this.stopsKey, '-inf', now)
      .publish(this.channel, JSON.stringify({ type: 'stop', trialId }))
      .exec();
  }

  async isStopRequested(trialId: string): Promise<boolean> {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis control channel is closed');
    assertId('trial id', trialId);
    return this.checks.add(this.stopKey(trialId));
  }

  onStop(handler: (trialId: string) => void): StopSubscription {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis control channel is closed');
    const sub: Subscription = { handler, since: null, open: true };
    this.subscriptions.add(sub);
    if (!this.subscriber) this.subscriber = this.subscribe();
    // Already listening: this one still has to learn the stops made before it.
    else if (this.subscribed) void this.load([sub]);
    return {
      listeningSince: () => sub.since,
      close: once(async () => {
        sub.open = false;
        sub.since = null;
        this.subscriptions.delete(sub);
      }),
    };
  }

  /** One connection for every handler; on each (re)connect: SUBSCRIBE, then the stops in force, then listening. */
  private subscribe(): Redis {
    const conn = createClient(this.o.url, 'control-subscriber', this.o.onError, true);
    const onError = this.onError;
    conn.on('message', (_channel: string, message: string) => {
      let trialId: unknown;
      try {
        trialId = (JSON.parse(message) as { trialId?: unknown }).trialId;
      } catch {
        return onError(new Error('ignoring a malformed control message'));
      }
      if (typeof trialId !== 'string') return;
      for (const sub of this.subscriptions) deliver(sub, trialId, onError);
    });
    conn.on('ready', () => {
      // ioredis re-subscribes by itself after a reconnect; a repeated SUBSCRIBE is harmless and says when.
      conn
        .subscribe(this.channel)
        .then(() => {
          this.subscribed = true;
          return this.load([...this.subscriptions]);
        })
        .catch(onError);
    });
    conn.on('close', () => {
      // Messages published while the connection is down are lost: nobody is listening until the next load.
      this.epoch++;
      this.subscribed = false;
      for (const sub of this.subscriptions) sub.since = null;
    });
    return conn;
  }

  /** Hands the stops in force to `subs` (after SUBSCRIBE, so nothing falls between), then marks them listening. */
  private async load(subs: Subscription[]): Promise<void> {
    const epoch = this.epoch;
    const onError = this.onError;
    try {
      const ids = await this.client().zrangebyscore(this.stopsKey, Date.now(), '+inf');
      if (epoch !== this.epoch) return;
      const now = Date.now();
      for (const sub of subs) {
        if (!sub.open) continue;
        for (const id of ids) deliver(sub, id, onError);
        sub.since ??= now;
      }
    } catch (err) {
      onError(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscriptions.clear();
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) await closeClient(sub, this.o.closeTimeoutMs);
  }
}

interface Subscription {
  handler: (trialId: string) => void;
  since: number | null;
  open: boolean;
}

function deliver(sub: Subscription, trialId: string, onError: (err: unknown) => void): void {
  try {
    sub.handler(trialId);
  } catch (err) {
    onError(err);
  }
}
