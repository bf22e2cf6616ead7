import type { SweepRecord, TrackingStore, TrialRecord } from '@hyperfleet/store';
import type { Response } from 'express';
import { notFound } from './api-error';
import { authorize } from './http-auth';
import type { ProjectRole } from './principal';

const trialNotFound = (id: string) =>
  notFound(`trial ${id}`, 'trial ids look like <sweep>-<index>; see `hyperfleet sweep show <sweep>`');

/** A trial and its sweep, when the caller holds `role` on the sweep's project (else the same 404 as no trial). */
export async function resolveTrial(
  store: TrackingStore,
  id: string,
  res: Response,
  role: ProjectRole,
): Promise<{ trial: TrialRecord; sweep: SweepRecord }> {
  const trial = await store.getTrial(id);
  const sweep = trial ? await store.getSweep(trial.sweepId) : null;
  if (!trial || !sweep) throw trialNotFound(id);
  authorize(res, sweep.project, role, () => trialNotFound(id));
  return { trial, sweep };
}
