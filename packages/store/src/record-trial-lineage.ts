import { buildTrialLineage, type EnvFingerprint, type SweepPins } from '@hyperfleet/lineage';
import type { TrackingStore, TrialRecord } from './tracking-store';

/**
 * Writes one trial's lineage record (embedded `run` and the fleet controller share it). `env` replaces the
 * submitter's environment once the machine that actually runs the trial has reported its own.
 */
export async function recordTrialLineage(
  store: TrackingStore,
  pins: SweepPins,
  trial: Pick<TrialRecord, 'id' | 'sweepId' | 'params' | 'seed' | 'command'>,
  opts: { now?: number; env?: EnvFingerprint } = {},
): Promise<void> {
  const effective = opts.env ? { ...pins, env: opts.env } : pins;
  await store.lineage().recordLineage(buildTrialLineage(effective, trial, opts.now ?? Date.now()));
}
