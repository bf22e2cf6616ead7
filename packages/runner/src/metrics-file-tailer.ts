import { FileFollower } from './file-follower';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter';

export interface MetricsFileTailerOptions {
  /** Fallback poll interval; fs.watch on the directory usually wakes it sooner. */
  pollMs?: number;
  maxLineBytes?: number;
}

/**
 * Follows the JSONL metrics file while the trial runs: one batch of complete lines per chunk read, keeping a
 * partial last line until its newline arrives. A truncated or rewritten file starts over.
 */
export class MetricsFileTailer {
  private readonly splitter: LineSplitter;
  private readonly follower: FileFollower;

  constructor(
    path: string,
    private readonly onLines: (lines: Buffer[]) => void,
    options: MetricsFileTailerOptions = {},
  ) {
    this.splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    this.follower = new FileFollower(
      path,
      {
        onData: (chunk) => {
          const lines = this.splitter.push(chunk);
          if (lines.length > 0) this.onLines(lines);
        },
        onRestart: () => this.splitter.reset(),
      },
      options.pollMs === undefined ? {} : { pollMs: options.pollMs },
    );
  }

  /** Lines dropped for exceeding the line cap. */
  get overlongLines(): number {
    return this.splitter.overlongLines;
  }

  start(): void {
    this.follower.start();
  }

  /** Stop following, then read to the end and emit the unterminated last line, if any. Idempotent. */
  async stop(): Promise<void> {
    await this.follower.stop();
    const last = this.splitter.end();
    if (last) this.onLines([last]);
  }
}
