import type { Redis } from 'ioredis';
import { splitChunk } from '../in-process/in-process-logs';
import { assertId } from '../names';
import type { LogStream } from '../ports';
import { TransportError } from '../transport-error';
import { Coalescer } from './coalescer';
import { closeClient, createClient } from './redis-clients';
import type { ResolvedRedisOptions } from './redis-options';

type Entry = [id: string, fields: string[]];

/** Live trial output on a capped stream per trial (`${prefix}:logs:${trialId}`); cursors are stream ids. */
export class RedisLogStream implements LogStream {
  // XREAD BLOCK holds its connection; a small pool serves concurrent `logs -f` readers.
  private readonly idle: Redis[] = [];
  private readonly busy = new Set<Redis>();
  private readonly queued: Array<(c: Redis) => void> = [];
  private closed = false;
  // Appends of one burst (many trials' output) go out in one round trip.
  private readonly appends = new Coalescer<{ trialId: string; chunk: string }, undefined>((items) => this.send(items));

  constructor(
    private readonly o: ResolvedRedisOptions,
    private readonly client: () => Redis,
  ) {}

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
    // MAXLEN ~ trims whole stream nodes (100 entries by default), so a full log can be that much longer.
    const args: Array<string | number> = ['COUNT', this.o.logs.maxChunksPerTrial + 100];
    const block = blockMs !== undefined && blockMs > 0;
    if (block) args.push('BLOCK', Math.ceil(blockMs));
    args.push('STREAMS', this.key(trialId), cursor);
    const conn = block ? await this.acquire() : this.client();
    try {
      const res = (await conn.call('XREAD', ...args)) as Array<[string, Entry[]]> | null;
      const entries = res?.[0]?.[1] ?? [];
      const last = entries[entries.length - 1];
      return {
        chunks: entries.map(([, f]) => f[f.indexOf('c') + 1] ?? ''),
        cursor: last ? last[0] : cursor,
      };
    } catch (err) {
      if (this.closed) return { chunks: [], cursor };
      throw err;
    } finally {
      if (block) this.release(conn);
    }
  }

  private async acquire(): Promise<Redis> {
    const c = this.idle.pop();
    if (c) {
      this.busy.add(c);
      return c;
    }
    if (this.busy.size < this.o.logs.maxBlockingReads) {
      const fresh = createClient(this.o.url, 'log-reader', this.o.onError, true);
      this.busy.add(fresh);
      return fresh;
    }
    return new Promise((resolve) => this.queued.push(resolve));
  }

  private release(c: Redis): void {
    const next = this.queued.shift();
    if (next) {
      next(c);
      return;
    }
    this.busy.delete(c);
    if (this.closed) void closeClient(c, this.o.closeTimeoutMs);
    else this.idle.push(c);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.splice(0), ...this.busy];
    // Blocked readers are interrupted; their reads return no chunks.
    await Promise.allSettled(
      all.map((c) => {
        c.disconnect();
        return closeClient(c, this.o.closeTimeoutMs);
      }),
    );
  }
}
