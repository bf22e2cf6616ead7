import { StringDecoder } from 'node:string_decoder';
import { FileFollower } from '@hyperfleet/runner';

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
  private readonly decoder = new StringDecoder('utf8');
  private readonly follower: FileFollower;
  private appends: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | null = null;

  constructor(
    path: string,
    private readonly onChunk: (text: string) => Promise<void>,
    options: LogTailerOptions = {},
  ) {
    this.follower = new FileFollower(
      path,
      // The decoder keeps a split multi-byte character for the next chunk.
      { onData: (chunk) => this.send(this.decoder.write(chunk)) },
      { pollMs: options.pollMs ?? 200, chunkBytes: options.maxChunkBytes ?? 16 * 1024 },
    );
  }

  start(): void {
    this.follower.start();
  }

  /** Reads to the end of the file, sends the rest, and waits for every append. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.follower.stop();
      this.send(this.decoder.end());
      await this.appends;
    })();
    return this.stopped;
  }

  private send(text: string): void {
    if (!text) return;
    this.appends = this.appends.then(() =>
      this.onChunk(text).catch(() => {
        this.failedAppends++;
      }),
    );
  }
}
