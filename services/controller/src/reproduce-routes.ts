import { reproduceRoutes as api } from '@hyperfleet/contract';
import { newSweepId, readSubmission, recordReproduction, type SubmittedPins } from '@hyperfleet/engine';
import type { TrackingStore } from '@hyperfleet/store';
import { type Request, type Response, Router } from 'express';
import { ApiError } from './api-error';
import type { AppDeps } from './app-deps';
import { authenticate, principalOf } from './http-auth';
import { resolveTrial } from './resolve-trial';
import { parseInput, reply } from './route-io';

/**
 * `POST /api/trials/:id/reproduce`: a new one-trial sweep that runs the trial again with its exact pins (commit,
 * diff, bundle, data hashes, data remote), params, seed and command.
 *
 * `recordReproduction` (packages/engine, shared with local `hyperfleet reproduce`) writes the sweep with its one
 * queued trial; the runtime then adopts it — the same recovery path a restarted controller takes — and dispatches
 * the trial as it is.
 */
export function reproduceRoutes(deps: AppDeps): Router {
  const r = Router();
  const { store, tokens } = deps;

  r.post(api.start.path, authenticate(tokens), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const { trial: original, sweep } = await resolveTrial(store, id, res, 'submit');
    const body = parseInput(api.start.body, req.body, 'body');
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
    const pool = body.pool ?? submission.pool;
    const { sweep: created, trial } = await recordReproduction(store, {
      original,
      sweep,
      newSweepId: newSweepId(),
      now: (deps.clock ?? { now: () => Date.now() }).now(),
      actor,
      pool,
      submission: { ...submission, pool, pins },
    });
    const newId = created.id;
    // Adopt it here now (resume is a no-op on a running sweep) rather than on the next tick.
    const { sweep: started } = await deps.runtime.control(newId, 'resume', actor);
    reply(
      res,
      api.start,
      {
        sweep: started,
        trial: (await store.getTrial(trial.id)) ?? trial,
        of: id,
        dashboardUrl: `${deps.publicUrl.replace(/\/+$/, '')}/sweeps/${newId}`,
      },
      201,
    );
  });
  return r;
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
