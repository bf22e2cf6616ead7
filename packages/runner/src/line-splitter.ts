/** Default cap for one line: longer lines are dropped (and counted) instead of buffered. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line in memory.
 * Works on bytes, not strings, so a chunk boundary inside a multi-byte character cannot corrupt it and
 * undecodable bytes reach the parser intact (it decides what they mean).
 */
export class LineSplitter {
  /** Lines longer than the cap that were dropped. */
  overlongLines = 0;
  private parts: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Feed a chunk; returns the lines it completed (without the newline or a trailing CR). */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.append(chunk.subarray(start));
        return lines;
      }
      this.append(chunk.subarray(start, nl));
      if (this.discarding) this.discarding = false;
      else lines.push(this.take());
      start = nl + 1;
    }
  }

  /** End of stream: the unterminated last line, if any. */
  end(): Buffer | null {
    if (this.discarding) {
      this.discarding = false;
      return null;
    }
    if (this.pendingBytes === 0) return null;
    return this.take();
  }

  /** Forget any partial line (e.g. the file being tailed was truncated). */
  reset(): void {
    this.parts = [];
    this.pendingBytes = 0;
    this.discarding = false;
  }

  private append(segment: Buffer): void {
    if (this.discarding || segment.length === 0) return;
    if (this.pendingBytes + segment.length > this.maxLineBytes) {
      this.overlongLines += 1;
      this.discarding = true;
      this.parts = [];
      this.pendingBytes = 0;
      return;
    }
    this.parts.push(segment);
    this.pendingBytes += segment.length;
  }

  private take(): Buffer {
    let line = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.pendingBytes);
    this.parts = [];
    this.pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, line.length - 1);
    return line;
  }
}
