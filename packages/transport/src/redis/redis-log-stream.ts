import type { Redis } from 'ioredis';
import { splitChunk } from '../in-process/in-process-logs';
import { assertId } from '../names';
import type { LogStream } from '../ports';
import { TransportError } from '../transport-error';
import { Coalescer } from './coalescer';
import { LogWatch } from './log-watch';
import type { ResolvedRedisOptions } from './redis-options';

type Entry = [id: string, fields: string[]];

/** Live trial output on a capped stream per trial (`${prefix}:logs:${trialId}`); cursors are stream ids. */
export class RedisLogStream implements LogStream {
  private closed = false;
  // Appends of one burst (many trials' output) go out in one round trip.
  private readonly appends = new Coalescer<{ trialId: string; chunk: string }, undefined>((items) => this.send(items));
  private readonly watch: LogWatch;

  constructor(
    private readonly o: ResolvedRedisOptions,
    private readonly client: () => Redis,
  ) {
    this.watch = new LogWatch(o.url, (trialId) => this.key(trialId), client, o.onError);
  }

  private key(trialId: string): string {
    return `${this.o.prefix}:logs:${trialId}`;
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis log stream is closed');
  }

  async append(trialId: string, chunk: string): Promise<void> {
    this.assertOpen();
    assertId('trial id', trialId);
    if (chunk.length === 0) return;
    await this.appends.add({ trialId, chunk });
  }

  private async send(items: Array<{ trialId: string; chunk: string }>): Promise<Array<Error | undefined>> {
    const pipeline = this.client().pipeline();
    const itemOf: number[] = [];
    for (const [i, { trialId, chunk }] of items.entries()) {
      const key = this.key(trialId);
      for (const text of splitChunk(chunk, this.o.logs.maxChunkChars)) {
        pipeline.xadd(key, 'MAXLEN', '~', this.o.logs.maxChunksPerTrial, '*', 'c', text);
        itemOf.push(i);
      }
      pipeline.pexpire(key, this.o.logs.ttlMs);
      itemOf.push(i);
    }
    const errors: Array<Error | undefined> = items.map(() => undefined);
    for (const [n, [error]] of ((await pipeline.exec()) ?? []).entries()) {
      const i = itemOf[n] ?? 0;
      if (error) errors[i] ??= error;
    }
    return errors;
  }

  async read(trialId: string, cursor: string, blockMs?: number): Promise<{ chunks: string[]; cursor: string }> {
    this.assertOpen();
    assertId('trial id', trialId);
    if (!/^\d+(-\d+)?$/.test(cursor)) {
      throw new TransportError('TRANSPORT_INVALID', `invalid log cursor ${JSON.stringify(cursor)}`, {
        hint: "pass '0' or the cursor the previous read returned",
      });
    }
    if (blockMs === undefined || blockMs <= 0) return this.readNow(trialId, cursor);
    // A follower: non-blocking reads, each after the shared watch saw an append (or the recheck interval),
    // until chunks or `blockMs`; registered before the first read, so an append in between is not missed.
    const deadline = Date.now() + blockMs;
    const recheck = this.o.logs.recheckMs;
    const follower = await this.watch.follow(trialId);
    try {
      for (;;) {
        const got = await this.readNow(trialId, cursor);
        const left = deadline - Date.now();
        if (got.chunks.length > 0 || left <= 0 || this.closed) return got;
        await follower.next(Math.min(left, recheck));
      }
    } finally {
      follower.dispose();
    }
  }

  private async readNow(trialId: string, cursor: string): Promise<{ chunks: string[]; cursor: string }> {
    // MAXLEN ~ trims whole stream nodes (100 entries by default), so a full log can be that much longer.
    const args = ['COUNT', this.o.logs.maxChunksPerTrial + 100, 'STREAMS', this.key(trialId), cursor];
    try {
      const res = (await this.client().call('XREAD', ...args)) as Array<[string, Entry[]]> | null;
      const entries = res?.[0]?.[1] ?? [];
      const last = entries[entries.length - 1];
      return {
        chunks: entries.map(([, f]) => f[f.indexOf('c') + 1] ?? ''),
        cursor: last ? last[0] : cursor,
      };
    } catch (err) {
      if (this.closed) return { chunks: [], cursor };
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    // Waiting followers wake and return what they have.
    await this.watch.close(this.o.closeTimeoutMs);
  }
}
