import type { Redis } from 'ioredis';
import { withTimeout } from '../close-all';
import { STALLED_REASON } from '../lost-attempt';
import { closeClient, createClient, reportErrors } from './redis-clients';
import type { ResolvedRedisOptions } from './redis-options';

/** Events read per XREAD; a full read is followed by the next one at once. */
const READ_COUNT = 5_000;

/**
 * Reads a pool's BullMQ event stream for the two events that mean an attempt was lost — `stalled` (the
 * agent vanished) and `failed` (the handler gave the attempt back or threw) — and skips the rest. It
 * replaces BullMQ's QueueEvents, which issues one blocking XREAD per burst of events and parses every one
 * of the five or so events each job makes: at a few thousand trials a second that read loop was a fifth
 * of the controller's CPU. Here a read that comes back short is followed by a pause of `pauseMs`, so events
 * arrive in batches at the cost of that much delay (small next to the stalled-job timers).
 */
export class LostEventReader {
  private readonly client: Redis;
  private open = true;
  private wake: (() => void) | undefined;
  private readonly running: Promise<void>;

  constructor(
    private readonly o: ResolvedRedisOptions,
    private readonly key: string,
    role: string,
    private readonly onLost: (jobId: string, failedReason: string) => void,
    private readonly pauseMs = 100,
  ) {
    this.client = createClient(o.url, role, o.onError, true);
    // From now: nothing between watchLost() and the first read is missed.
    this.running = this.loop(`${Date.now()}-0`, reportErrors(o.onError, role));
  }

  private async loop(from: string, onError: (err: unknown) => void): Promise<void> {
    let id = from;
    while (this.open) {
      try {
        // As buffers: only the few entries that matter are decoded (strings for all would cost more than the rest).
        const res = (await this.client.xreadBuffer(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          2_000,
          'STREAMS',
          this.key,
          id,
        )) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
        const entries = res?.[0]?.[1] ?? [];
        for (const [, fields] of entries) this.consider(fields);
        const last = entries.at(-1);
        if (last) id = last[0].toString();
        if (entries.length < READ_COUNT) await this.pause(this.pauseMs);
      } catch (err) {
        if (!this.open) break;
        onError(err);
        await this.pause(1_000);
      }
    }
  }

  private consider(fields: Buffer[]): void {
    const event = fields[1];
    if (!fields[0]?.equals(EVENT) || !event || !(event.equals(STALLED) || event.equals(FAILED))) return;
    const jobId = fieldOf(fields, 'jobId');
    if (!jobId) return;
    if (event.equals(STALLED)) this.onLost(jobId, STALLED_REASON);
    else {
      const reason = fieldOf(fields, 'failedReason') ?? 'failed';
      // The stalled event already reported this one; the deferred failure is the same loss seen again.
      if (reason !== STALLED_REASON) this.onLost(jobId, reason);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.wake?.();
    // Interrupts a blocked XREAD.
    this.client.disconnect();
    await withTimeout(this.running, this.o.closeTimeoutMs, 'closing a lost-event reader').catch(() => {});
    await closeClient(this.client, this.o.closeTimeoutMs);
  }
}

const EVENT = Buffer.from('event');
const STALLED = Buffer.from('stalled');
const FAILED = Buffer.from('failed');

function fieldOf(fields: Buffer[], name: string): string | undefined {
  for (let i = 2; i < fields.length - 1; i += 2) if (fields[i]?.toString() === name) return fields[i + 1]?.toString();
  return undefined;
}
