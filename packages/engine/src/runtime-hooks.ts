import type { MetricPoint } from '@hyperfleet/domain';
import type { SchedulerEvent } from './sweep-scheduler';

/** A scheduler event with the sweep it belongs to. */
export type TrialEvent = SchedulerEvent & { sweepId: string };

/**
 * Callbacks for what happens to sweeps this replica runs (the dashboard's socket.io gateway subscribes here).
 * Called synchronously on the ingest path: keep them cheap and throttle on your side; a throw is logged, not fatal.
 */
export interface RuntimeHooks {
  /** Every batch of points written to the store, after the write. */
  onMetrics?: (sweepId: string, points: MetricPoint[]) => void;
  /** After the store has saved the change (the sweep runner saves once per batch of reports). */
  onTrialEvent?: (event: TrialEvent) => void;
}

/**
 * All the hooks as one: each is called whatever the others do. A throw is passed on after every hook has run
 * (the first one, for the runtime to log); `undefined` entries are skipped.
 */
export function composeHooks(...hooks: readonly (RuntimeHooks | undefined)[]): RuntimeHooks {
  const present = hooks.filter((h): h is RuntimeHooks => h !== undefined);
  if (present.length === 1 && present[0]) return present[0];
  const each =
    <T extends unknown[]>(pick: (h: RuntimeHooks) => ((...args: T) => void) | undefined) =>
    (...args: T) => {
      let failure: { error: unknown } | null = null;
      for (const h of present) {
        try {
          pick(h)?.(...args);
        } catch (error) {
          failure ??= { error };
        }
      }
      if (failure) throw failure.error;
    };
  return { onMetrics: each((h) => h.onMetrics), onTrialEvent: each((h) => h.onTrialEvent) };
}
