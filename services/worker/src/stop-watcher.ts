import type { Closeable, ControlChannel } from '@hyperfleet/transport';

/**
 * Delivers stop requests for the trials this agent runs: the pub/sub nudge for speed, and a re-check of
 * the stop key every `intervalMs` for a nudge that was missed (reconnect, published before we subscribed).
 */
export class StopWatcher {
  private readonly watched = new Set<string>();
  private subscription: Closeable | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    private readonly control: ControlChannel,
    private readonly onStop: (trialId: string) => void,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.subscription = this.control.onStop((trialId) => {
      if (this.watched.has(trialId)) this.onStop(trialId);
    });
    this.timer = setInterval(() => void this.recheck(), this.intervalMs);
  }

  watch(trialId: string): void {
    this.watched.add(trialId);
  }

  unwatch(trialId: string): void {
    this.watched.delete(trialId);
  }

  /** One check of the stop key (failures read as "not requested": the next check tries again). */
  async isStopRequested(trialId: string): Promise<boolean> {
    return this.control.isStopRequested(trialId).catch(() => false);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.close().catch(() => {});
  }

  private async recheck(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const ids = [...this.watched];
      const answers = await Promise.all(ids.map((id) => this.isStopRequested(id)));
      ids.forEach((id, i) => {
        if (answers[i] && this.watched.has(id)) this.onStop(id);
      });
    } finally {
      this.checking = false;
    }
  }
}
