import type { FinishedReport } from '@hyperfleet/transport';

export interface BreakerOptions {
  /** Consecutive start failures that pause the agent. Default 3. */
  threshold: number;
  /** A non-zero exit this soon after the start counts as a start failure. Default 5000 ms. */
  fastFailMs: number;
  /** Pause length before the agent tries again; null = stay paused until restarted. Default 300_000 ms. */
  cooldownMs: number | null;
}

export const DEFAULT_BREAKER: BreakerOptions = { threshold: 3, fastFailMs: 5_000, cooldownMs: 300_000 };

/**
 * Counts consecutive trials that failed at start on this agent (could not spawn, or died within
 * `fastFailMs` with a non-zero code or a signal): the signature of a broken machine — bad CUDA, a missing
 * interpreter or library — that would otherwise fail every trial of the fleet, one after another, at
 * full speed. Any trial that got going resets the count; stopped/lost attempts say nothing about the
 * machine and leave it as it is. After a cool-down the breaker is half-open: one more start failure
 * trips it again at once.
 */
export class FailureBreaker {
  private consecutive = 0;
  private lastFailure: string | null = null;

  constructor(readonly options: BreakerOptions = DEFAULT_BREAKER) {}

  get count(): number {
    return this.consecutive;
  }

  /** Records an attempt's ending; returns the pause reason when this one trips the breaker. */
  record(result: FinishedReport): string | null {
    const failure = startFailure(result, this.options.fastFailMs);
    if (failure === 'neutral') return null;
    if (failure === null) {
      this.consecutive = 0;
      return null;
    }
    this.consecutive++;
    this.lastFailure = failure;
    if (this.consecutive < this.options.threshold) return null;
    return `${this.consecutive} consecutive trials failed at start on this agent (last: ${this.lastFailure})`;
  }

  /** After the cool-down: the next start failure trips again. */
  halfOpen(): void {
    this.consecutive = Math.max(0, this.options.threshold - 1);
  }
}

/** The failure's description when it is a start failure, null when the trial got going, 'neutral' otherwise. */
export function startFailure(result: FinishedReport, fastFailMs: number): string | null | 'neutral' {
  if (result.outcome === 'spawn-error') return result.error ?? 'could not start';
  if (result.outcome === 'stopped' || result.outcome === 'lost') return 'neutral';
  if (result.outcome === 'exited' && result.durationMs < fastFailMs && (result.exitCode !== 0 || result.signal)) {
    const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`;
    return `${how} after ${Math.round(result.durationMs)} ms`;
  }
  return null;
}
