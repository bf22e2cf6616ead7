import type { SweepConfig } from '@hyperfleet/domain';
import { newTrialRecord, type SweepRecord, type TrackingStore, type TrialRecord } from '@hyperfleet/store';
import type { SweepPlan } from './ports';
import { planForStoredSweep, SUBMITTED_EVENT, type SweepSubmission } from './sweep-submission';

/** Event on the reproduction's sweep naming the trial it reproduces. */
export const REPRODUCE_EVENT = 'trial.reproduce';

export interface ReproductionRequest {
  original: TrialRecord;
  /** The original trial's sweep. */
  sweep: SweepRecord;
  /** Id of the reproduction's new sweep; its one trial is `<id>-0`. */
  newSweepId: string;
  now: number;
  actor: string | null;
  /** The pool the reproduction runs on (fleet: the original's, or the one asked for; embedded: the local one). */
  pool: string;
  /** Fleet mode: how the sweep was submitted (cwd, env, pins), recorded for the new sweep as well. */
  submission?: SweepSubmission;
}

export interface Reproduction {
  sweep: SweepRecord;
  trial: TrialRecord;
  /** The plan of the new sweep: a SweepEngine started with it runs the one queued trial and ends the sweep. */
  plan: SweepPlan;
}

/**
 * Writes a reproduction of `original` to the store: a new one-trial sweep whose trial is already `queued` with the
 * original's params, seed and recorded argv, its config capped at that one trial (`run_cap: 1`, no early
 * termination, no target: nothing may stop it early). A SweepEngine started on the returned plan recovers the sweep
 * as a restarted controller would and dispatches the trial as it is — the same dispatcher, outcome rules, report
 * ingestion and best-by-goal value as every other trial. Both `hyperfleet reproduce` (embedded) and
 * `POST /api/trials/:id/reproduce` (fleet) go through here.
 */
export async function recordReproduction(store: TrackingStore, req: ReproductionRequest): Promise<Reproduction> {
  const { original, sweep, newSweepId: id, now, actor } = req;
  const trial = reproductionTrial(original, sweep.id, id, now);
  const config = reproductionConfig(sweep.config as SweepConfig, original.id, req.pool);
  const created: SweepRecord = {
    id,
    name: config.name ?? null,
    // Not running until the trial is written: a running sweep with no trial would be adopted and given a
    // fresh trial (with a seed of its own). Left `failed` with this reason if anything below throws.
    status: 'failed',
    method: sweep.method,
    metricName: sweep.metricName,
    goal: sweep.goal,
    config,
    seed: sweep.seed,
    createdAt: now,
    finishedAt: now,
    reason: `reproduction of ${original.id} could not be set up`,
    project: sweep.project,
  };
  await store.createSweep(created);
  await store.createTrial(trial);
  if (req.submission) {
    await store.appendEvent({
      at: now,
      sweepId: id,
      trialId: null,
      type: SUBMITTED_EVENT,
      actor,
      data: req.submission,
    });
  }
  await store.appendEvent({
    at: now,
    sweepId: id,
    trialId: trial.id,
    type: REPRODUCE_EVENT,
    actor,
    data: { of: original.id },
  });
  await store.updateSweep(id, { status: 'running', finishedAt: null, reason: null });
  const running: SweepRecord = { ...created, status: 'running', finishedAt: null, reason: null };
  return { sweep: running, trial, plan: planForStoredSweep(running) };
}

/** The original trial as the only trial of sweep `newSweep`: same params, seed and argv (ids in paths renamed). */
export function reproductionTrial(original: TrialRecord, oldSweep: string, newSweep: string, now: number): TrialRecord {
  const id = `${newSweep}-0`;
  // `${args_json_file}` and the like name the trial's own directory: the same path, for the new ids (the
  // identity hash normalizes them the same way, so equal identities still mean the same inputs).
  const rename = (arg: string) => arg.split(original.id).join(id).split(oldSweep).join(newSweep);
  return newTrialRecord({
    id,
    sweepId: newSweep,
    index: 0,
    params: original.params,
    seed: original.seed,
    command: (original.command ?? []).map(rename),
    createdAt: now,
  });
}

/** The original config capped at its one trial: nothing (early termination, a target) may stop it early. */
export function reproductionConfig(base: SweepConfig, of: string, pool: string): SweepConfig {
  const { early_terminate: _early, ...rest } = base;
  return {
    ...rest,
    name: `reproduce ${of}`,
    run_cap: 1,
    parallel: 1,
    ...(base.metric ? { metric: { name: base.metric.name, goal: base.metric.goal } } : {}),
    resources: { ...base.resources, pool },
  };
}
