import { type FSWatcher, watch } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter';

const READ_CHUNK_BYTES = 256 * 1024;

export interface MetricsFileTailerOptions {
  /** Fallback poll interval; fs.watch on the directory usually wakes it sooner. */
  pollMs?: number;
  maxLineBytes?: number;
}

/**
 * Follows the JSONL metrics file while the trial runs: reads only what was appended since the last offset,
 * one batch of complete lines per chunk read, keeping a partial last line until its newline arrives.
 * The file may not exist yet (the program creates it), may be truncated or rewritten (start over).
 */
export class MetricsFileTailer {
  private readonly splitter: LineSplitter;
  private offset = 0;
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private stopped: Promise<void> | null = null;

  constructor(
    private readonly path: string,
    private readonly onLines: (lines: Buffer[]) => void,
    private readonly options: MetricsFileTailerOptions = {},
  ) {
    this.splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  }

  /** Lines dropped for exceeding the line cap. */
  get overlongLines(): number {
    return this.splitter.overlongLines;
  }

  start(): void {
    this.timer = setInterval(() => this.poke(), this.options.pollMs ?? 250);
    try {
      const name = basename(this.path);
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file === null || file === name) this.poke();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      // Polling alone still works (e.g. inotify watches exhausted).
    }
  }

  /** Stop following, then read to the end and emit the unterminated last line, if any. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.closeWatcher();
      while (this.reading) await this.reading;
      await this.readNew();
      const last = this.splitter.end();
      if (last) this.onLines([last]);
    })();
    return this.stopped;
  }

  private poke(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readNew().finally(() => {
      this.reading = null;
      if (this.readAgain) {
        this.readAgain = false;
        this.poke();
      }
    });
  }

  private async readNew(): Promise<void> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return; // not created yet (or unreadable): try again next time
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) {
        this.offset = 0;
        this.splitter.reset();
      }
      while (this.offset < size) {
        const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, size - this.offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const lines = this.splitter.push(buffer.subarray(0, bytesRead));
        if (lines.length > 0) this.onLines(lines);
      }
    } catch {
      // A failed read is retried from the same offset on the next poke.
    } finally {
      await handle.close().catch(() => {});
    }
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}
