import type { Redis } from 'ioredis';
import { once } from '../close-all';
import { assertId } from '../names';
import type { Closeable, ControlChannel } from '../ports';
import { TransportError } from '../transport-error';
import { Coalescer } from './coalescer';
import { closeClient, createClient, reportErrors } from './redis-clients';
import type { ResolvedRedisOptions } from './redis-options';

/**
 * Stop requests: `SET ${prefix}:stop:${trialId}` (the source of truth an agent re-checks, so a missed
 * message is never a missed stop) plus PUBLISH on `${prefix}:control` so a running agent reacts at once.
 */
export class RedisControlChannel implements ControlChannel {
  private readonly handlers = new Set<(trialId: string) => void>();
  private subscriber: Redis | undefined;
  private closed = false;
  // Every trial start checks its key: the checks of one burst are one EXISTS … round trip.
  private readonly checks = new Coalescer<string, boolean>(async (keys) => {
    const pipeline = this.client().pipeline();
    for (const key of keys) pipeline.exists(key);
    return ((await pipeline.exec()) ?? []).map(([error, n]) => error ?? n === 1);
  });

  constructor(
    private readonly o: ResolvedRedisOptions,
    private readonly client: () => Redis,
  ) {}

  private get channel(): string {
    return `${this.o.prefix}:control`;
  }

  private stopKey(trialId: string): string {
    return `${this.o.prefix}:stop:${trialId}`;
  }

  async requestStop(trialId: string): Promise<void> {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis control channel is closed');
    assertId('trial id', trialId);
    await this.client()
      .multi()
      .set(this.stopKey(trialId), '1', 'PX', this.o.stopTtlMs)
      .publish(this.channel, JSON.stringify({ type: 'stop', trialId }))
      .exec();
  }

  async isStopRequested(trialId: string): Promise<boolean> {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis control channel is closed');
    assertId('trial id', trialId);
    return this.checks.add(this.stopKey(trialId));
  }

  onStop(handler: (trialId: string) => void): Closeable {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis control channel is closed');
    this.handlers.add(handler);
    if (!this.subscriber) {
      // A subscribed connection can run nothing else; ioredis re-subscribes by itself after a reconnect.
      const sub = createClient(this.o.url, 'control-subscriber', this.o.onError, true);
      const onError = reportErrors(this.o.onError, 'control channel');
      sub.on('message', (_channel: string, message: string) => {
        let trialId: unknown;
        try {
          trialId = (JSON.parse(message) as { trialId?: unknown }).trialId;
        } catch {
          return onError(new Error('ignoring a malformed control message'));
        }
        if (typeof trialId !== 'string') return;
        for (const h of this.handlers) {
          try {
            h(trialId);
          } catch (err) {
            onError(err);
          }
        }
      });
      sub.subscribe(this.channel).catch(onError);
      this.subscriber = sub;
    }
    return {
      close: once(async () => {
        this.handlers.delete(handler);
      }),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) await closeClient(sub, this.o.closeTimeoutMs);
  }
}
