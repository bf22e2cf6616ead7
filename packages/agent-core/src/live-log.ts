import { StringDecoder } from 'node:string_decoder';

/**
 * One attempt's live output on its way to the LogStream (`hyperfleet logs -f`, the dashboard): the runner
 * hands over each chunk it writes to output.log (already capped), and this sends them in order with at
 * most one append in flight; text arriving meanwhile is joined into the next append, so a chatty trial
 * costs a few appends per round trip, not one per write. The `header` (which attempt, which agent) goes out
 * with the first output, so a silent attempt costs no append at all. An append that fails is counted, not
 * retried: live output is best effort — the full log stays in the trial directory.
 */
export class LiveLog {
  failedAppends = 0;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private sending: Promise<void> | null = null;

  constructor(
    private readonly append: (text: string) => Promise<void>,
    private header = '',
  ) {}

  write(chunk: Buffer): void {
    // The decoder keeps a split multi-byte character for the next chunk.
    const text = this.decoder.write(chunk);
    if (!text) return;
    this.pending += this.header + text;
    this.header = '';
    this.sending ??= this.drain();
  }

  /** Sends what is left; resolves when every append has settled. */
  async close(): Promise<void> {
    const rest = this.decoder.end();
    if (rest) this.pending += this.header + rest;
    if (this.pending) this.sending ??= this.drain();
    while (this.sending) await this.sending;
  }

  private async drain(): Promise<void> {
    // Let the rest of this tick's output join the first append.
    await Promise.resolve();
    while (this.pending) {
      const text = this.pending;
      this.pending = '';
      await this.append(text).catch(() => {
        this.failedAppends++;
      });
    }
    this.sending = null;
  }
}
