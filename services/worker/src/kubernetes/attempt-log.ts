import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The attempt's `output.log` on the agent: the pod's log text and the executor's `[hyperfleet]` notices.
 * Like the runner's log, it hands what it writes to the attempt's `onOutput`, which the agent sends to the
 * live log stream (`hyperfleet logs -f`), so the executor never writes to the stream itself.
 */
export class AttemptLog {
  private closed: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
    private readonly tap: ((chunk: Buffer) => void) | undefined,
  ) {
    // A full disk must not end the attempt: the log is best effort, like the runner's.
    stream.on('error', () => {});
  }

  static async open(path: string, tap?: (chunk: Buffer) => void): Promise<AttemptLog> {
    await mkdir(dirname(path), { recursive: true });
    return new AttemptLog(path, createWriteStream(path, { flags: 'a' }), tap);
  }

  write(text: string): void {
    if (this.closed || !text) return;
    const chunk = Buffer.from(text);
    this.tap?.(chunk);
    this.stream.write(chunk);
  }

  notice(message: string): void {
    this.write(`[hyperfleet] ${message}\n`);
  }

  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => this.stream.end(() => resolve()));
    return this.closed;
  }
}
