import { trialRoutes as api } from '@hyperfleet/contract';
import { type Request, type Response, Router } from 'express';
import { ApiError, notFound } from './api-error';
import type { AppDeps } from './app-deps';
import { principalOf, requireRole } from './http-auth';
import { reproduceRoutes } from './reproduce-routes';
import { parseInput, reply } from './route-io';

/** Trial routes: the record, its metric history (downsampled on request), its live log. */
export function trialRoutes(deps: AppDeps): Router {
  const r = Router();
  const { store, tokens } = deps;
  const read = requireRole(tokens, 'read');

  const requireTrial = async (id: string) => {
    const trial = await store.getTrial(id);
    if (!trial)
      throw notFound(`trial ${id}`, 'trial ids look like <sweep>-<index>; see `hyperfleet sweep show <sweep>`');
    return trial;
  };

  r.get(api.get.path, read, async (req: Request, res: Response) => {
    const trial = await requireTrial(String(req.params.id));
    const [attempts, summaries] = await Promise.all([store.listAttempts(trial.id), store.getSummaries(trial.id)]);
    reply(res, api.get, { trial, attempts, summaries });
  });

  r.post(api.stop.path, requireRole(tokens, 'submit'), async (req: Request, res: Response) => {
    const trial = await requireTrial(String(req.params.id));
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

  r.get(api.lineage.path, read, async (req: Request, res: Response) => {
    const trial = await requireTrial(String(req.params.id));
    const lineage = await store.lineage().getLineage(trial.id);
    if (!lineage)
      throw notFound(`lineage for trial ${trial.id}`, 'only trials of a sweep submitted with pins have one');
    reply(res, api.lineage, { lineage });
  });

  r.get(api.metrics.path, read, async (req: Request, res: Response) => {
    const trial = await requireTrial(String(req.params.id));
    const { key, maxPoints } = parseInput(api.metrics.query, req.query, 'query');
    const opts = maxPoints === undefined ? {} : { maxPoints };
    const keys = key !== undefined ? [key] : (await store.getSummaries(trial.id)).map((s) => s.key);
    const series = await Promise.all(keys.map((k) => store.getMetricHistory(trial.id, k, opts)));
    reply(res, api.metrics, { points: series.flat() });
  });

  r.get(api.logs.path, read, async (req: Request, res: Response) => {
    const id = String(req.params.id);
    await requireTrial(id);
    const { cursor, wait } = parseInput(api.logs.query, req.query, 'query');
    reply(res, api.logs, await deps.transport.logs.read(id, cursor, wait));
  });
  r.use(reproduceRoutes(deps));
  return r;
}
