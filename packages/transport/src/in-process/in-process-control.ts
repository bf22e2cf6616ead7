import { assertId } from '../names';
import type { ControlChannel, StopSubscription } from '../ports';
import { TransportError } from '../transport-error';

export interface InProcessControlOptions {
  /** How long a stop request stays visible to `isStopRequested`. Default 24 h (same as Redis). */
  stopTtlMs?: number;
  now?: () => number;
}

/**
 * Stop requests: a map the agent can re-check (with the Redis key's TTL) plus listeners nudged asynchronously;
 * a new listener first hears the stops already in force.
 */
export class InProcessControlChannel implements ControlChannel {
  private readonly stops = new Map<string, number>();
  private readonly listeners = new Set<(trialId: string) => void>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private closed = false;

  constructor(opts: InProcessControlOptions = {}) {
    this.ttlMs = opts.stopTtlMs ?? 24 * 3600_000;
    this.now = opts.now ?? Date.now;
  }

  async requestStop(trialId: string): Promise<void> {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the in-process control channel is closed');
    assertId('trial id', trialId);
    this.prune();
    this.stops.set(trialId, this.now() + this.ttlMs);
    // Pub/sub is asynchronous; so is this, so a listener never runs inside requestStop's caller.
    for (const listener of this.listeners) queueMicrotask(() => listener(trialId));
  }

  async isStopRequested(trialId: string): Promise<boolean> {
    const until = this.stops.get(trialId);
    return until !== undefined && until > this.now();
  }

  onStop(handler: (trialId: string) => void): StopSubscription {
    this.listeners.add(handler);
    // The stops already in force first, asynchronously like every delivery; in one process nothing is missed after.
    this.prune();
    const inForce = [...this.stops.keys()];
    let since: number | null = null;
    queueMicrotask(() => {
      if (!this.listeners.has(handler)) return;
      for (const trialId of inForce) handler(trialId);
      since = this.now();
    });
    return {
      listeningSince: () => (this.listeners.has(handler) ? since : null),
      close: async () => {
        this.listeners.delete(handler);
      },
    };
  }

  private prune(): void {
    const now = this.now();
    for (const [id, until] of this.stops) if (until <= now) this.stops.delete(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }
}
