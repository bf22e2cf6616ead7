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
