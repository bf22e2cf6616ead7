import { trialRoutes as api } from '@hyperfleet/contract';
import { type Request, type Response, Router } from 'express';
import { ApiError, notFound } from './api-error';
import type { AppDeps } from './app-deps';
import { authenticate, principalOf } from './http-auth';
import { reproduceRoutes } from './reproduce-routes';
import { resolveTrial } from './resolve-trial';
import { parseInput, reply } from './route-io';

/** Trial routes: the record, its metric history (downsampled on request), its live log. */
export function trialRoutes(deps: AppDeps): Router {
  const r = Router();
  const { store, tokens } = deps;
  const auth = authenticate(tokens);
  const readTrial = async (req: Request, res: Response) =>
    (await resolveTrial(store, String(req.params.id), res, 'read')).trial;

  r.get(api.get.path, auth, async (req: Request, res: Response) => {
    const trial = await readTrial(req, res);
    const [attempts, summaries] = await Promise.all([store.listAttempts(trial.id), store.getSummaries(trial.id)]);
    reply(res, api.get, { trial, attempts, summaries });
  });

  r.post(api.stop.path, auth, async (req: Request, res: Response) => {
    const { trial } = await resolveTrial(store, String(req.params.id), res, 'submit');
    if (trial.status !== 'queued' && trial.status !== 'running') {
      throw new ApiError(409, 'TRIAL_ENDED', `trial ${trial.id} has already ended (${trial.status})`);
    }
    const result = await deps.runtime.control(trial.sweepId, 'stop-trial', principalOf(res).name, trial.id);
    reply(
      res,
      api.stop,
      { trial: await store.getTrial(trial.id), pending: result.pending },
      result.pending ? 202 : 200,
    );
  });

  r.get(api.lineage.path, auth, async (req: Request, res: Response) => {
    const trial = await readTrial(req, res);
    const lineage = await store.lineage().getLineage(trial.id);
    if (!lineage)
      throw notFound(`lineage for trial ${trial.id}`, 'only trials of a sweep submitted with pins have one');
    reply(res, api.lineage, { lineage });
  });

  r.get(api.metrics.path, auth, async (req: Request, res: Response) => {
    const trial = await readTrial(req, res);
    const { key, maxPoints } = parseInput(api.metrics.query, req.query, 'query');
    const opts = maxPoints === undefined ? {} : { maxPoints };
    const keys = key !== undefined ? [key] : (await store.getSummaries(trial.id)).map((s) => s.key);
    const series = await Promise.all(keys.map((k) => store.getMetricHistory(trial.id, k, opts)));
    reply(res, api.metrics, { points: series.flat() });
  });

  r.get(api.logs.path, auth, async (req: Request, res: Response) => {
    const { id } = await readTrial(req, res);
    const { cursor, wait } = parseInput(api.logs.query, req.query, 'query');
    reply(res, api.logs, await deps.transport.logs.read(id, cursor, wait));
  });
  r.use(reproduceRoutes(deps));
  return r;
}
