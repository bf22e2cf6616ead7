import { createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Default cap for output.log. */
export const DEFAULT_LOG_MAX_BYTES = 50 * 1024 * 1024;

/**
 * Appends the trial's stdout+stderr to output.log as bytes arrive (so `logs -f` can tail it), capped at
 * `maxBytes` for the file as a whole: past the cap it writes one truncation notice and drops the rest.
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
  ) {
    stream.on('error', (error) => {
      this.error ??= error;
    });
  }

  static async open(path: string, maxBytes: number): Promise<LogSink> {
    const existing = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    const stream = createWriteStream(path, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return new LogSink(stream, existing, maxBytes);
  }

  /** Returns false when the caller should wait for 'drain' before writing more (backpressure). */
  write(chunk: Buffer): boolean {
    if (this.truncated || this.closed || this.error) return true;
    const room = this.maxBytes - this.bytes;
    if (chunk.length <= room) {
      this.bytes += chunk.length;
      return this.stream.write(chunk);
    }
    this.truncated = true;
    if (room > 0) this.stream.write(chunk.subarray(0, room));
    this.bytes = this.maxBytes;
    return this.stream.write(
      `\n[hyperfleet] output.log reached its ${this.maxBytes}-byte cap (logMaxBytes); further output is not logged\n`,
    );
  }

  /** A runner message (spawn error, stop, timeout). Written even past the cap: it explains the ending. */
  notice(text: string): void {
    if (this.closed || this.error) return;
    this.stream.write(`[hyperfleet] ${text}\n`);
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
