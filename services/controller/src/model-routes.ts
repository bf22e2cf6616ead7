import { modelRoutes as api } from '@hyperfleet/contract';
import { registerTrialModel } from '@hyperfleet/engine';
import type { ModelRecord } from '@hyperfleet/store';
import { type Request, type Response, Router } from 'express';
import { ApiError, notFound } from './api-error';
import type { AppDeps } from './app-deps';
import { authenticate, authorize, principalOf } from './http-auth';
import { isFleetAdmin, type ProjectRole, readableProjects } from './principal';
import { resolveTrial } from './resolve-trial';
import { parseInput, reply } from './route-io';
import { refused } from './store-refusal';

/** The alias only `promote` (or admin) may move. */
export const PRODUCTION_ALIAS = 'production';

/**
 * The model registry and the audit log over the API, so no user needs the database's credentials. A model is in
 * the project of the trial it was registered from: reading needs read there, registering and moving aliases
 * submit, moving `production` promote, deleting a version admin. Other projects' models do not exist (404).
 */
export function modelRoutes(deps: AppDeps): Router {
  const r = Router();
  const { store } = deps;
  const auth = authenticate(deps.tokens);
  const now = () => deps.clock?.now() ?? Date.now();
  const models = () => store.models();

  /** The model, when the caller holds `role` on its project. */
  const requireModel = async (res: Response, name: string, role: ProjectRole): Promise<ModelRecord> => {
    const hidden = () => notFound(`model named ${name}`, 'list models with `hyperfleet model ls`');
    const model = await models().getModel(name);
    if (!model) throw hidden();
    authorize(res, model.project, role, hidden);
    return model;
  };

  r.get(api.list.path, auth, async (_req: Request, res: Response) => {
    const projects = readableProjects(principalOf(res));
    reply(res, api.list, { models: await models().listModels(projects ? { projects } : {}) });
  });

  r.get(api.versions.path, auth, async (req: Request, res: Response) => {
    const model = await requireModel(res, String(req.params.name), 'read');
    reply(res, api.versions, { versions: await refused(models().listVersions(model.name)) });
  });

  r.get(api.resolve.path, auth, async (req: Request, res: Response) => {
    const ref = String(req.params.ref);
    const at = ref.lastIndexOf('@');
    await requireModel(res, at > 0 ? ref.slice(0, at) : ref, 'read');
    reply(res, api.resolve, { version: await refused(models().resolve(ref)) });
  });

  r.post(api.register.path, auth, async (req: Request, res: Response) => {
    const body = parseInput(api.register.body, req.body, 'body');
    const { trial, sweep } = await resolveTrial(store, body.trialId, res, 'submit');
    const existing = await models().getModel(String(req.params.name));
    if (existing) await requireModel(res, existing.name, 'submit');
    if (body.aliases?.includes(PRODUCTION_ALIAS)) {
      // A new model takes the trial's project; an existing one keeps its own (a mismatch is refused below).
      authorize(res, existing?.project ?? sweep.project, 'promote', () => notFound(`model named ${req.params.name}`));
    }
    const version = await refused(
      registerTrialModel(store, {
        trial,
        name: String(req.params.name),
        artifact: body.artifact,
        ...(body.aliases ? { aliases: body.aliases } : {}),
        actor: principalOf(res).name,
        at: now(),
      }),
    );
    reply(res, api.register, { version }, 201);
  });

  r.post(api.setAlias.path, auth, async (req: Request, res: Response) => {
    const { version } = parseInput(api.setAlias.body, req.body, 'body');
    const alias = String(req.params.alias);
    const model = await requireModel(res, String(req.params.name), alias === PRODUCTION_ALIAS ? 'promote' : 'submit');
    await refused(models().setAlias(model.name, alias, version, principalOf(res).name, now()));
    reply(res, api.setAlias, { ok: true });
  });

  r.post(api.deleteVersion.path, auth, async (req: Request, res: Response) => {
    const version = Number(req.params.version);
    if (!Number.isInteger(version) || version < 1) {
      throw new ApiError(422, 'INVALID_VERSION', `"${String(req.params.version).slice(0, 50)}" is not a version`, {
        hint: 'versions are numbers: 1, 2, …',
      });
    }
    const model = await requireModel(res, String(req.params.name), 'admin');
    await refused(models().deleteVersion(model.name, version, principalOf(res).name, now()));
    reply(res, api.deleteVersion, { ok: true });
  });

  r.get(api.audit.path, auth, async (req: Request, res: Response) => {
    const q = parseInput(api.audit.query, req.query, 'query');
    const caller = principalOf(res);
    const projects = readableProjects(caller);
    const events = await store.listAudit({
      ...(projects ? { projects } : {}),
      ...(q.model ? { model: q.model } : {}),
      ...(q.sweep ? { sweepId: q.sweep } : {}),
      limit: q.limit,
    });
    // Fleet-wide events (agents, `*` tokens) are in no project: only admins of every project see them.
    reply(res, api.audit, { events: isFleetAdmin(caller) ? events : events.filter((e) => e.project) });
  });
  return r;
}
