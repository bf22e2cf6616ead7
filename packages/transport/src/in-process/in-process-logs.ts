import { assertId } from '../names';
import type { LogStream } from '../ports';
import { TransportError } from '../transport-error';

export interface LogBounds {
  /** Chunks kept per trial; older ones are dropped. Default 1,000. */
  maxChunksPerTrial?: number;
  /** Longer chunks are split, so one huge write cannot blow the bound. Default 16 KiB (characters). */
  maxChunkChars?: number;
}

export interface InProcessLogsOptions extends LogBounds {
  /** Trials kept; the oldest trial's log is dropped beyond this. Default 1,000. */
  maxTrials?: number;
}

interface TrialLog {
  next: number;
  chunks: Array<{ id: number; text: string }>;
  waiters: Set<() => void>;
}

/** Splits a chunk into pieces of at most `max` characters (never inside a surrogate pair). */
export function splitChunk(chunk: string, max: number): string[] {
  if (chunk.length <= max) return [chunk];
  const out: string[] = [];
  let i = 0;
  while (i < chunk.length) {
    let end = Math.min(i + max, chunk.length);
    const code = chunk.charCodeAt(end - 1);
    if (end < chunk.length && code >= 0xd800 && code <= 0xdbff && end - 1 > i) end--;
    out.push(chunk.slice(i, end));
    i = end;
  }
  return out;
}

/** Live trial output, bounded per trial; cursors are chunk numbers as strings ('0' = from the start). */
export class InProcessLogStream implements LogStream {
  private readonly logs = new Map<string, TrialLog>();
  private readonly maxChunks: number;
  private readonly maxChunkChars: number;
  private readonly maxTrials: number;
  private closed = false;

  constructor(opts: InProcessLogsOptions = {}) {
    this.maxChunks = opts.maxChunksPerTrial ?? 1000;
    this.maxChunkChars = opts.maxChunkChars ?? 16_384;
    this.maxTrials = opts.maxTrials ?? 1000;
  }

  async append(trialId: string, chunk: string): Promise<void> {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the in-process log stream is closed');
    assertId('trial id', trialId);
    if (chunk.length === 0) return;
    let log = this.logs.get(trialId);
    if (!log) {
      log = { next: 1, chunks: [], waiters: new Set() };
      this.logs.set(trialId, log);
      // Map iteration order is insertion order: the first key is the oldest trial.
      while (this.logs.size > this.maxTrials) this.logs.delete(this.logs.keys().next().value!);
    }
    for (const text of splitChunk(chunk, this.maxChunkChars)) log.chunks.push({ id: log.next++, text });
    if (log.chunks.length > this.maxChunks) log.chunks.splice(0, log.chunks.length - this.maxChunks);
    for (const wake of log.waiters) wake();
  }

  async read(trialId: string, cursor: string, blockMs?: number): Promise<{ chunks: string[]; cursor: string }> {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the in-process log stream is closed');
    const after = Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0) {
      throw new TransportError('TRANSPORT_INVALID', `invalid log cursor ${JSON.stringify(cursor)}`, {
        hint: "pass '0' or the cursor the previous read returned",
      });
    }
    const take = () => {
      const chunks = this.logs.get(trialId)?.chunks.filter((c) => c.id > after) ?? [];
      const last = chunks[chunks.length - 1];
      return { chunks: chunks.map((c) => c.text), cursor: last ? String(last.id) : cursor };
    };
    const now = take();
    if (now.chunks.length > 0 || !blockMs || blockMs <= 0) return now;
    let log = this.logs.get(trialId);
    if (!log) {
      log = { next: 1, chunks: [], waiters: new Set() };
      this.logs.set(trialId, log);
    }
    const waiters = log.waiters;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, blockMs);
      waiters.add(done);
    });
    return this.closed ? { chunks: [], cursor } : take();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const log of this.logs.values()) for (const wake of [...log.waiters]) wake();
  }
}
