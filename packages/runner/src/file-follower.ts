import { type FSWatcher, watch } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export interface FileFollowerOptions {
  /** Fallback poll interval; fs.watch on the directory usually wakes it sooner. Default 250 ms. */
  pollMs?: number;
  /** Largest chunk handed to `onData`. Default 256 KiB. */
  chunkBytes?: number;
}

export interface FileFollowerHandlers {
  /** Bytes appended since the last call, in order. */
  onData(chunk: Buffer): void;
  /** The file shrank (truncated or rewritten): reading starts over from its beginning. */
  onRestart?(): void;
}

/**
 * Follows a file another process appends to: reads only what was added since the last offset, woken by
 * fs.watch on its directory with a poll as fallback. The file may not exist yet. Reads never overlap; a
 * failed read is retried from the same offset. Shared by the metrics-file tailer and the agent's live log.
 */
export class FileFollower {
  private offset = 0;
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private stopped: Promise<void> | null = null;

  constructor(
    private readonly path: string,
    private readonly handlers: FileFollowerHandlers,
    private readonly options: FileFollowerOptions = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poke(), this.options.pollMs ?? 250);
    try {
      const name = basename(this.path);
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file === null || file === name) this.poke();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      // The directory may not exist yet, or inotify watches are exhausted: polling alone still works.
    }
  }

  /** Stops following, then reads to the end of the file. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.closeWatcher();
      while (this.reading) await this.reading;
      await this.readNew();
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
        this.handlers.onRestart?.();
      }
      const max = this.options.chunkBytes ?? 256 * 1024;
      while (this.offset < size) {
        const buffer = Buffer.allocUnsafe(Math.min(max, size - this.offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.handlers.onData(buffer.subarray(0, bytesRead));
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
