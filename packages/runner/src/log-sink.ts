import { createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Default cap for output.log. */
export const DEFAULT_LOG_MAX_BYTES = 50 * 1024 * 1024;

/** Sees every byte written to output.log, as it is written (the agent's live log stream). */
export type OutputTap = (chunk: Buffer) => void;

/**
 * Appends the trial's stdout+stderr to output.log as bytes arrive, capped at `maxBytes` for the file as a
 * whole: past the cap it writes one truncation notice and drops the rest. The `tap` gets exactly what the
 * file gets, so a live copy is capped the same way without anyone following the file.
 * Write errors (disk full…) are remembered, never thrown: losing the log must not lose the trial.
 */
export class LogSink {
  truncated = false;
  error: Error | null = null;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly stream: WriteStream,
    private bytes: number,
    private readonly maxBytes: number,
    private readonly tap: OutputTap | undefined,
  ) {
    stream.on('error', (error) => {
      this.error ??= error;
    });
  }

  static async open(path: string, maxBytes: number, tap?: OutputTap): Promise<LogSink> {
    const existing = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    const stream = createWriteStream(path, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return new LogSink(stream, existing, maxBytes, tap);
  }

  /** Returns false when the caller should wait for 'drain' before writing more (backpressure). */
  write(chunk: Buffer): boolean {
    if (this.truncated || this.closed || this.error) return true;
    const room = this.maxBytes - this.bytes;
    if (chunk.length <= room) {
      this.bytes += chunk.length;
      return this.emit(chunk);
    }
    this.truncated = true;
    if (room > 0) this.emit(chunk.subarray(0, room));
    this.bytes = this.maxBytes;
    return this.emit(
      Buffer.from(
        `\n[hyperfleet] output.log reached its ${this.maxBytes}-byte cap (logMaxBytes); further output is not logged\n`,
      ),
    );
  }

  /** A runner message (spawn error, stop, timeout). Written even past the cap: it explains the ending. */
  notice(text: string): void {
    if (this.closed || this.error) return;
    this.emit(Buffer.from(`[hyperfleet] ${text}\n`));
  }

  private emit(chunk: Buffer): boolean {
    this.tap?.(chunk);
    return this.stream.write(chunk);
  }

  onDrain(listener: () => void): void {
    this.stream.once('drain', listener);
  }

  /** Flushes and closes; idempotent. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
      // end's callback is not called when the stream errors; close is emitted either way.
      this.stream.once('close', () => resolve());
    });
    return this.closed;
  }
}
