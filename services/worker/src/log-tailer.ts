import { type FSWatcher, watch } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export interface LogTailerOptions {
  /** Fallback poll; fs.watch on the directory usually wakes the tailer sooner. */
  pollMs?: number;
  /** Largest chunk handed to `onChunk` (a burst of output becomes several appends). Default 16 KiB. */
  maxChunkBytes?: number;
}

/**
 * Follows the runner's output.log while the trial runs and hands new text to `onChunk` (the LogStream),
 * so `hyperfleet logs -f` sees output live without changing the runner: the file is the runner's
 * contract, already capped in size. Appends are serialized; one that fails is counted, not retried
 * (live output is best effort — the full log stays in the trial directory).
 */
export class LogTailer {
  failedAppends = 0;
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private appends: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | null = null;

  constructor(
    private readonly path: string,
    private readonly onChunk: (text: string) => Promise<void>,
    private readonly options: LogTailerOptions = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poke(), this.options.pollMs ?? 200);
    try {
      const name = basename(this.path);
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file === null || file === name) this.poke();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      // The directory may not exist yet (the runner creates it); polling covers it.
    }
  }

  /** Reads to the end of the file, sends the rest, and waits for every append. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.closeWatcher();
      while (this.reading) await this.reading;
      await this.readNew();
      const rest = this.decoder.end();
      if (rest) this.send(rest);
      await this.appends;
    })();
    return this.stopped;
  }

  private poke(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readNew().finally(() => {
      this.reading = null;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  private async readNew(): Promise<void> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return; // not there yet
    }
    try {
      const { size } = await handle.stat();
      const max = this.options.maxChunkBytes ?? 16 * 1024;
      while (this.offset < size) {
        const buffer = Buffer.allocUnsafe(Math.min(max, size - this.offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        // The decoder keeps a split multi-byte character for the next read.
        const text = this.decoder.write(buffer.subarray(0, bytesRead));
        if (text) this.send(text);
      }
    } catch {
      // Retried from the same offset on the next poke.
    } finally {
      await handle.close().catch(() => {});
    }
  }

  private send(text: string): void {
    this.appends = this.appends.then(() =>
      this.onChunk(text).catch(() => {
        this.failedAppends++;
      }),
    );
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}
