import type { ControlChannel, StopSubscription } from '@hyperfleet/transport';

/** Stop requests remembered from the channel, for trials this agent may take later (oldest dropped first). */
const REMEMBERED_STOPS = 10_000;

/**
 * Delivers stop requests for the trials this agent runs: the pub/sub nudge for speed, and a re-check of
 * the stop key every `intervalMs` for a nudge that was missed. Every stop heard — the ones in force when the
 * subscription (re)started, then each new one — is remembered, so while the subscription listens the check
 * before a trial starts is answered here, without a round trip; while it does not, the trial's key is read.
 */
export class StopWatcher {
  private readonly watched = new Set<string>();
  private readonly heard = new Set<string>();
  private subscription: StopSubscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    private readonly control: ControlChannel,
    private readonly onStop: (trialId: string) => void,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.subscription = this.control.onStop((trialId) => {
      this.remember(trialId);
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

  /** Before a trial starts: was it asked to stop while its job waited? */
  async isStopRequested(trialId: string): Promise<boolean> {
    if (this.heard.has(trialId)) return true;
    if (this.subscription?.listeningSince() != null) return false;
    return this.readStopKey(trialId);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.close().catch(() => {});
  }

  private remember(trialId: string): void {
    this.heard.add(trialId);
    if (this.heard.size > REMEMBERED_STOPS) {
      const oldest = this.heard.values().next().value;
      if (oldest !== undefined) this.heard.delete(oldest);
    }
  }

  /** One read of the stop key (failures read as "not requested": the next check tries again). */
  private async readStopKey(trialId: string): Promise<boolean> {
    return this.control.isStopRequested(trialId).catch(() => false);
  }

  private async recheck(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const ids = [...this.watched];
      const answers = await Promise.all(ids.map((id) => this.readStopKey(id)));
      ids.forEach((id, i) => {
        if (answers[i] && this.watched.has(id)) this.onStop(id);
      });
    } finally {
      this.checking = false;
    }
  }
}
