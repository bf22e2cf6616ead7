import type { TrackingStore } from '@hyperfleet/store';
import type { Logger } from './logger';
import type { Clock } from './ports';

/** The audit event of a report entry or report the controller refused. */
export const REPORT_REFUSED_EVENT = 'report.refused';

export interface Refusal {
  sweepId: string;
  /** Who signed it (the actor of the event); null when the entry named nobody. */
  sender: string | null;
  reason: string;
  trialId?: string;
  attempt?: number;
}

/**
 * Writes `report.refused` audit events, at most one per sender and sweep every `everyMs` (default 10 s): an
 * agent that floods forged entries must not flood the event log (or the controller's log) too. The next event
 * counts the ones left out.
 */
export class RefusedReports {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly o: {
      store: Pick<TrackingStore, 'appendEvent'>;
      clock: Clock;
      log: Logger;
      everyMs?: number;
    },
  ) {}

  record(r: Refusal): void {
    const key = `${r.sender ?? ''}\u0000${r.sweepId}`;
    const now = this.o.clock.now();
    const seen = this.last.get(key);
    if (seen && now - seen.at < (this.o.everyMs ?? 10_000)) {
      seen.suppressed++;
      return;
    }
    if (this.last.size > 10_000) this.last.clear(); // bounded: a flood of made-up sender names
    this.last.set(key, { at: now, suppressed: 0 });
    const also = seen && seen.suppressed > 0 ? { alsoRefusedSinceLastEvent: seen.suppressed } : {};
    this.o.log.warn('refused a report', { ...r, ...also });
    this.o.store
      .appendEvent({
        at: now,
        sweepId: r.sweepId,
        trialId: r.trialId ?? null,
        type: REPORT_REFUSED_EVENT,
        actor: r.sender,
        data: {
          reason: r.reason,
          ...(r.attempt === undefined ? {} : { attempt: r.attempt }),
          ...also,
        },
      })
      .catch((err: unknown) => this.o.log.error('could not audit a refused report', { error: String(err) }));
  }
}
