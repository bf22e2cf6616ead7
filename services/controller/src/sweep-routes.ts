import { sweepRoutes as api, SWEEP_ACTIONS } from '@hyperfleet/contract';
import { HyperfleetError, type SweepConfig, sweepProject, validateSweepConfig } from '@hyperfleet/domain';
import { newSeed, newSweepId, planFor, resolveSweepSeed, type SubmittedPins, sweepBest } from '@hyperfleet/engine';
import type { SweepRecord, TrackingStore } from '@hyperfleet/store';
import { type Request, type Response, Router } from 'express';
import { ApiError } from './api-error';
import { checkSweepCaps } from './api-limits';
import type { AppDeps } from './app-deps';
import { authenticate, authorize, principalOf, requireSubmitter } from './http-auth';
import { readableProjects } from './principal';
import { resolveSweep, sweepNotFound } from './resolve-sweep';
import { parseInput, reply } from './route-io';

/** Sweep routes: submit, list, show, and the control actions. */
export function sweepRoutes(deps: AppDeps): Router {
  const r = Router();
  const { store, tokens } = deps;
  const auth = authenticate(tokens);

  r.post(api.submit.path, auth, requireSubmitter, async (req: Request, res: Response) => {
    const body = parseInput(api.submit.body, req.body, 'body');
    const { force } = parseInput(api.submit.query, req.query, 'query');
    const validated = validateSweepConfig(body.config);
    if (!validated.ok) {
      throw new ApiError(422, 'CONFIG_INVALID', `invalid sweep config: ${validated.issues.length} problem(s)`, {
        hint: 'fix each issue (path, expected, found); `hyperfleet validate sweep.yaml` shows the same list',
        details: { issues: validated.issues, warnings: validated.warnings },
      });
    }
    const base = validated.config;
    const project = sweepProject(base);
    authorize(
      res,
      project,
      'submit',
      () =>
        // Not a 404: nothing is being looked up. It says only that this token has no role there.
        new ApiError(403, 'FORBIDDEN', `this token has no role on project ${project}`, {
          hint: 'set `project:` in the sweep config to a project the token may submit to, or use another token',
        }),
    );
    const seed = resolveSweepSeed(body.seed, base.seed, newSeed);
    const pool = body.pool ?? base.resources?.pool ?? 'default';
    // Every submit-time override goes into the stored config, so a restarted controller rebuilds the same plan.
    const config: SweepConfig = {
      ...base,
      ...(body.name === undefined ? {} : { name: body.name }),
      seed,
      ...(body.count === undefined ? {} : { run_cap: body.count }),
      ...(body.parallel === undefined ? {} : { parallel: body.parallel }),
      resources: { ...base.resources, pool },
    };
    checkSweepCaps(config, deps.limits);
    if (!force) {
      const known = await deps.coordination.listPools();
      if (!known.includes(pool)) {
        throw new ApiError(422, 'UNKNOWN_POOL', `no agent has registered pool "${pool}"`, {
          hint:
            known.length > 0
              ? `known pools: ${known.join(', ')}; or start an agent with --pool ${pool}, or submit with ?force=true`
              : `no agent has registered yet: start one with \`hyperfleet agent --pool ${pool}\`, or submit with ?force=true`,
          details: { knownPools: known },
        });
      }
    }
    const id = newSweepId();
    let plan: ReturnType<typeof planFor>;
    try {
      plan = planFor(id, config, seed);
    } catch (err) {
      // Valid config the planner refuses (random without run_cap, bayes in this build, grid over a continuous range).
      if (err instanceof HyperfleetError) {
        throw new ApiError(422, err.code, err.message, err.hint === undefined ? {} : { hint: err.hint });
      }
      throw err;
    }
    if (body.pins) await requireBlobs(store, body.pins);
    const submission = { cwd: body.cwd, pool, ...(body.pins ? { pins: body.pins } : {}) };
    const sweep = await deps.runtime.submit(plan, submission, principalOf(res).name);
    reply(res, api.submit, { sweep, dashboardUrl: `${deps.publicUrl.replace(/\/+$/, '')}/sweeps/${sweep.id}` }, 201);
  });

  r.get(api.list.path, auth, async (req: Request, res: Response) => {
    const { limit } = parseInput(api.list.query, req.query, 'query');
    const projects = readableProjects(principalOf(res));
    const sweeps = await store.listSweeps({ limit, ...(projects ? { projects } : {}) });
    reply(res, api.list, { sweeps: await Promise.all(sweeps.map((s) => withCounts(store, s))) });
  });

  r.get(api.get.path, auth, async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const sweep = await resolveSweep(store, id, principalOf(res));
    authorize(res, sweep.project, 'read', () => sweepNotFound(id));
    const counts = await store.countTrials(sweep.id);
    const trials = await store.listTrials(sweep.id, sweep.metricName ? { rankBy: sweep.goal } : {});
    reply(res, api.get, { sweep, counts, trials });
  });

  for (const action of SWEEP_ACTIONS) {
    const path = api.control.path.replace(':action', action);
    r.post(path, auth, async (req: Request, res: Response) => {
      const id = String(req.params.id);
      const sweep = await resolveSweep(store, id, principalOf(res));
      authorize(res, sweep.project, 'submit', () => sweepNotFound(id));
      const result = await deps.runtime.control(sweep.id, action, principalOf(res).name);
      reply(res, api.control, result.pending ? result : { sweep: result.sweep }, result.pending ? 202 : 200);
    });
  }
  return r;
}

/** The diff and bundle a sweep's pins name must be here before any agent asks for them. */
async function requireBlobs(store: TrackingStore, pins: SubmittedPins): Promise<void> {
  const needed = [pins.code?.diff?.hash, pins.bundle].filter((h): h is string => typeof h === 'string');
  for (const hash of needed) {
    if (!(await store.lineage().getBlob(hash))) {
      throw new ApiError(422, 'MISSING_BLOB', `the pins name blob ${hash}, which this server does not have`, {
        hint: 'upload it first (PUT /api/blobs/<hash>); `hyperfleet sweep submit` does this for you',
      });
    }
  }
}

async function withCounts(store: TrackingStore, sweep: SweepRecord) {
  const counts = await store.countTrials(sweep.id);
  let best: { trialId: string; value: number } | null = null;
  if (sweep.metricName) {
    const [top] = await store.listTrials(sweep.id, { rankBy: sweep.goal, limit: 1 });
    best = sweepBest(top);
  }
  return { ...sweep, counts, best };
}
