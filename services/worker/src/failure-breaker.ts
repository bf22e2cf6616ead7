import type { FinishedReport } from '@hyperfleet/transport';

export interface BreakerOptions {
  /** Consecutive start failures of one sweep that pause that sweep on this agent. Default 3. */
  threshold: number;
  /** A non-zero exit this soon after the start counts as a start failure. Default 5000 ms. */
  fastFailMs: number;
  /** Pause length before the agent tries the sweep again; null = until the agent is restarted. Default 300_000 ms. */
  cooldownMs: number | null;
}

export const DEFAULT_BREAKER: BreakerOptions = { threshold: 3, fastFailMs: 5_000, cooldownMs: 300_000 };

interface SweepState {
  consecutive: number;
  lastFailure: string | null;
  /** Set while the sweep is paused here: why, and until when (null: until restarted). */
  paused: { reason: string; until: number | null } | null;
}

/**
 * Counts, per sweep, consecutive trials that failed at start on this agent (could not spawn, or died within
 * `fastFailMs` with a non-zero code or a signal) — a program that does not exist, an interpreter or library
 * this machine lacks — and pauses THAT sweep here once `threshold` are reached, never the agent: one team's
 * broken sweep must not stop everybody's work on a shared machine. Any trial of the sweep that got going
 * resets its count; stopped/lost attempts say nothing and leave it as it is. After the cool-down the sweep is
 * half-open here: one more start failure pauses it again at once. Only failing sweeps are remembered.
 */
export class FailureBreaker {
  private readonly sweeps = new Map<string, SweepState>();

  constructor(
    readonly options: BreakerOptions = DEFAULT_BREAKER,
    private readonly now: () => number = Date.now,
  ) {}

  /** Consecutive start failures of the sweep here (0 when it has none). */
  count(sweepId: string): number {
    return this.sweeps.get(sweepId)?.consecutive ?? 0;
  }

  /** Records an attempt's ending; returns the pause reason when this one pauses its sweep here. */
  record(sweepId: string, result: FinishedReport): string | null {
    const failure = startFailure(result, this.options.fastFailMs);
    if (failure === 'neutral') return null;
    const state = this.sweeps.get(sweepId);
    if (failure === null) {
      if (state && !state.paused) this.sweeps.delete(sweepId);
      return null;
    }
    const next = state ?? { consecutive: 0, lastFailure: null, paused: null };
    this.sweeps.set(sweepId, next);
    next.consecutive++;
    next.lastFailure = failure;
    if (next.consecutive < this.options.threshold || next.paused) return null;
    const reason = `${next.consecutive} consecutive trials of sweep ${sweepId} failed at start on this agent (last: ${failure})`;
    const { cooldownMs } = this.options;
    next.paused = { reason, until: cooldownMs === null ? null : this.now() + cooldownMs };
    return reason;
  }

  /**
   * Why this agent does not run the sweep's trials now, or null when it does. A cool-down that is over
   * half-opens the sweep: the next trial runs, and one more start failure pauses it again.
   */
  refusal(sweepId: string): string | null {
    const state = this.sweeps.get(sweepId);
    if (!state?.paused) return null;
    const { until, reason } = state.paused;
    if (until === null) return `${reason}; it stays paused on this agent until the agent is restarted`;
    if (this.now() < until) {
      return `${reason}; this agent tries it again in ${Math.ceil((until - this.now()) / 1000)} s`;
    }
    state.paused = null;
    state.consecutive = Math.max(0, this.options.threshold - 1);
    return null;
  }

  /** The sweeps paused here now, with why (for the heartbeat and `agent ls`). */
  paused(): { sweepId: string; reason: string }[] {
    return [...this.sweeps]
      .filter(([id, s]) => s.paused && this.refusal(id) !== null)
      .map(([sweepId, s]) => ({ sweepId, reason: s.paused?.reason ?? '' }));
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
