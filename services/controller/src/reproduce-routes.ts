import type { SweepConfig } from '@hyperfleet/domain';
import { readSubmission, SUBMITTED_EVENT, type SubmittedPins, type SweepSubmission } from '@hyperfleet/engine';
import type { SweepRecord, TrackingStore, TrialRecord } from '@hyperfleet/store';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { ApiError, notFound } from './api-error';
import type { AppDeps } from './app-deps';
import { principalOf, requireRole } from './http-auth';
import { newSweepId } from './ids';
import { parseInput } from './request-schemas';

/** Event on the reproduction's sweep naming the trial it reproduces. */
export const REPRODUCE_EVENT = 'trial.reproduce';

const reproduceBody = z.strictObject({
  /** Run it on agents of this pool instead of the original's. */
  pool: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only')
    .optional(),
});

/**
 * `POST /api/trials/:id/reproduce`: a new one-trial sweep that runs the trial again with its exact pins (commit,
 * diff, bundle, data hashes, data remote), params, seed and command.
 *
 * How, without a scheduler of its own: the sweep and its one trial are written to the store as the scheduler
 * would have (the trial `queued`, with the original seed and command), the sweep's config capped at one trial
 * (`run_cap: 1`, no early termination, no target: nothing may stop it early), and the sweep is then adopted
 * by the runtime — the same recovery path a restarted controller takes — which dispatches the queued trial
 * as it is. A sweep with a fixed-value trial would get a seed derived from the new sweep's seed instead.
 */
export function reproduceRoutes(deps: AppDeps): Router {
  const r = Router();
  const { store, tokens } = deps;

  r.post('/trials/:id/reproduce', requireRole(tokens, 'submit'), async (req: Request, res: Response) => {
    const body = parseInput(reproduceBody, req.body, 'body');
    const id = String(req.params.id);
    const original = await store.getTrial(id);
    if (!original)
      throw notFound(`trial ${id}`, 'trial ids look like <sweep>-<index>; see `hyperfleet sweep show <sweep>`');
    const sweep = await store.getSweep(original.sweepId);
    if (!sweep) throw notFound(`sweep ${original.sweepId}`, 'the trial’s sweep is gone from the store');
    const submission = await readSubmission(store, sweep);
    const pins = submission.pins;
    if (!pins?.code) {
      throw new ApiError(422, 'NOT_REPRODUCIBLE', `trial ${id} has no code pin, so its code cannot be restored`, {
        hint: 'only trials of a sweep submitted from a git repository (`hyperfleet sweep submit`) can be reproduced',
      });
    }
    if (!original.command || original.command.length === 0) {
      throw new ApiError(422, 'NOT_REPRODUCIBLE', `trial ${id} has no recorded command`, {
        hint: 'it never got as far as being dispatched; run its sweep again instead',
      });
    }
    await requireBlobs(store, pins);

    const actor = principalOf(res).name;
    const now = (deps.clock ?? { now: () => Date.now() }).now();
    const newId = newSweepId();
    const trial = reproductionTrial(original, sweep.id, newId, now);
    const config = reproductionConfig(sweep.config as SweepConfig, id, body.pool ?? submission.pool);
    const created: SweepRecord = {
      id: newId,
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
      reason: `reproduction of ${id} could not be set up`,
    };
    const reproduced: SweepSubmission = { ...submission, pool: body.pool ?? submission.pool, pins };
    await store.createSweep(created);
    await store.createTrial(trial);
    await store.appendEvent({ at: now, sweepId: newId, trialId: null, type: SUBMITTED_EVENT, actor, data: reproduced });
    await store.appendEvent({
      at: now,
      sweepId: newId,
      trialId: trial.id,
      type: REPRODUCE_EVENT,
      actor,
      data: { of: id },
    });
    await store.updateSweep(newId, { status: 'running', finishedAt: null, reason: null });
    // Adopt it here now (resume is a no-op on a running sweep) rather than on the next tick.
    const { sweep: started } = await deps.runtime.control(newId, 'resume', actor);
    res.status(201).json({
      sweep: started,
      trial: (await store.getTrial(trial.id)) ?? trial,
      of: id,
      dashboardUrl: `${deps.publicUrl.replace(/\/+$/, '')}/sweeps/${newId}`,
    });
  });
  return r;
}

/** The original trial as the only trial of sweep `newId`: same params, seed and command (ids in paths renamed). */
export function reproductionTrial(original: TrialRecord, oldSweep: string, newSweep: string, now: number): TrialRecord {
  const id = `${newSweep}-0`;
  // `${args_json_file}` and the like name the trial's own directory: the same path, for the new ids (the
  // identity hash normalizes them the same way, so equal identities still mean the same inputs).
  const rename = (arg: string) => arg.split(original.id).join(id).split(oldSweep).join(newSweep);
  return {
    id,
    sweepId: newSweep,
    index: 0,
    status: 'queued',
    params: original.params,
    seed: original.seed,
    command: (original.command ?? []).map(rename),
    createdAt: now,
    startedAt: null,
    endedAt: null,
    exitCode: null,
    signal: null,
    reason: null,
    metricValue: null,
    attempts: 0,
  };
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

async function requireBlobs(store: TrackingStore, pins: SubmittedPins): Promise<void> {
  const needed = [pins.code?.diff?.hash, pins.bundle].filter((h): h is string => typeof h === 'string');
  for (const hash of needed) {
    if (!(await store.lineage().getBlob(hash))) {
      throw new ApiError(422, 'MISSING_BLOB', `the trial’s pins name blob ${hash}, which this server no longer has`, {
        hint: 'submit the sweep again from a checkout of that code (`hyperfleet sweep submit`)',
      });
    }
  }
}
