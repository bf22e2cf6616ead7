import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type ModelVersionBody, routes } from '@hyperfleet/contract';
import { registerTrialModel } from '@hyperfleet/engine';
import { currentActor, hashPath } from '@hyperfleet/lineage';
import type { ModelVersionRecord } from '@hyperfleet/store';
import { CliError, EXIT } from '../cli-error';
import type { ServerOptions } from '../fleet/api-client';
import { apiTarget } from '../fleet/api-target';
import { withStore } from '../open-sweep';
import { resolveRunsDir, resolveStoreUrl } from '../store-location';
import { dataCacheFor, repoRootOf } from './data-location';
import { withLineageErrors } from './lineage-errors';

export interface ModelRegisterOptions extends ServerOptions {
  store?: string;
  name: string;
  artifact: string;
  alias?: string[];
  json?: boolean;
}

/**
 * `hyperfleet model register <trial> --name N --artifact F [--alias A]`: a new numbered version pointing
 * at the trial and at the artifact's content (md5, kept in the data cache), with the trial's lineage
 * copied into its tags — by the server (`--server`) or in the local store.
 */
export async function modelRegisterCommand(
  trialId: string,
  opts: ModelRegisterOptions,
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(async () => {
    const api = apiTarget(opts);
    const print = (v: ModelVersionRecord | ModelVersionBody, artifact: string) =>
      out.write(
        opts.json
          ? `${JSON.stringify(v, null, 2)}\n`
          : `registered ${v.name} version ${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''} from trial ${trialId}, artifact ${artifact}\n`,
      );
    if (api) {
      // The trial ran on an agent: the model file is the one given here.
      const artifact = await cacheArtifact(opts.artifact, [resolve(opts.artifact)]);
      const { version } = await api.call(
        routes.models.register,
        { name: opts.name },
        { body: { trialId, artifact, ...(opts.alias ? { aliases: opts.alias } : {}) } },
      );
      print(version, artifact.hash);
      return EXIT.ok;
    }
    return withStore(opts.store, async (store) => {
      const trial = await store.getTrial(trialId);
      if (!trial)
        throw new CliError(
          `no trial ${trialId} in this store`,
          'trial ids look like <sweep>-<n>: see `hyperfleet show <sweep>`',
          EXIT.usage,
        );
      // The artifact: a path as given, else inside the trial's outputs directory.
      const outputs = join(resolveRunsDir(resolveStoreUrl(opts.store)), trial.sweepId, trial.id, 'outputs');
      const artifact = await cacheArtifact(opts.artifact, [
        resolve(opts.artifact),
        ...(isAbsolute(opts.artifact) ? [] : [join(outputs, opts.artifact)]),
      ]);
      const v = await registerTrialModel(store, {
        trial,
        name: opts.name,
        artifact,
        aliases: opts.alias ?? [],
        actor: currentActor(),
        at: Date.now(),
      });
      print(v, artifact.hash);
      return EXIT.ok;
    });
  });
}

/** The first of `candidates` that exists, hashed (md5) and kept in the data cache. */
async function cacheArtifact(given: string, candidates: string[]) {
  const file = candidates.find((p) => existsSync(p));
  if (!file) {
    throw new CliError(
      `artifact ${given} not found (looked at ${candidates.join(', ')})`,
      'pass the path of the model file the trial wrote',
      EXIT.usage,
    );
  }
  const h = await hashPath(file);
  if (h.isDir)
    throw new CliError(`artifact ${given} is a directory`, 'register one file (archive a directory first)', EXIT.usage);
  const repo = await repoRootOf(process.cwd()).catch(() => process.cwd());
  const cache = await dataCacheFor(repo);
  await cache.addFile(file, h.md5);
  return { hash: `md5:${h.md5}`, size: h.size, uri: cache.pathFor(h.md5) };
}

/** `hyperfleet model ls [NAME]`: models with latest version and aliases, or one model's versions. */
export async function modelLsCommand(
  name: string | undefined,
  opts: ServerOptions & { store?: string; json?: boolean },
  out = process.stdout,
): Promise<number> {
  const api = apiTarget(opts);
  const source = api
    ? {
        versions: async (n: string) => (await api.call(routes.models.versions, { name: n })).versions,
        models: async () => (await api.call(routes.models.list, {})).models,
      }
    : null;
  return withLineageErrors(() =>
    withSource(opts.store, source, async (src) => {
      if (name) {
        const versions = await src.versions(name);
        if (opts.json) out.write(`${JSON.stringify(versions, null, 2)}\n`);
        else {
          for (const v of versions) {
            out.write(
              `${v.name}@${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}  trial ${v.trialId}  ${v.artifact.hash}  ${new Date(v.createdAt).toISOString()} by ${v.createdBy ?? '-'}${v.deletedAt ? `  DELETED by ${v.deletedBy ?? '-'}` : ''}\n`,
            );
          }
        }
        return EXIT.ok;
      }
      const models = await src.models();
      if (opts.json) out.write(`${JSON.stringify(models, null, 2)}\n`);
      else if (models.length === 0)
        out.write('no models registered (hyperfleet model register <trial> --name N --artifact F)\n');
      else {
        for (const m of models) {
          const aliases = Object.entries(m.aliases)
            .map(([a, v]) => `${a}→${v}`)
            .join(', ');
          out.write(`${m.name}  latest ${m.latest ?? '-'}${aliases ? `  ${aliases}` : ''}\n`);
        }
      }
      return EXIT.ok;
    }),
  );
}

/** `hyperfleet model alias NAME ALIAS VERSION` (promote) and `model delete NAME VERSION`. */
export async function modelAliasCommand(
  name: string,
  alias: string,
  version: number,
  opts: ServerOptions & { store?: string },
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(async () => {
    const api = apiTarget(opts);
    if (api) await api.call(routes.models.setAlias, { name, alias }, { body: { version } });
    else
      await withStore(opts.store, (store) => store.models().setAlias(name, alias, version, currentActor(), Date.now()));
    out.write(`${name}@${alias} → version ${version}\n`);
    return EXIT.ok;
  });
}

export async function modelDeleteCommand(
  name: string,
  version: number,
  opts: ServerOptions & { store?: string },
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(async () => {
    const api = apiTarget(opts);
    if (api) await api.call(routes.models.deleteVersion, { name, version: String(version) });
    else
      await withStore(opts.store, (store) => store.models().deleteVersion(name, version, currentActor(), Date.now()));
    out.write(`deleted ${name} version ${version} (kept in the audit log)\n`);
    return EXIT.ok;
  });
}

/** The registry read from the server, or from the local store when `api` is null. */
interface RegistrySource {
  versions(name: string): Promise<Array<ModelVersionRecord | ModelVersionBody>>;
  models(): Promise<Array<{ name: string; latest: number | null; aliases: Record<string, number> }>>;
}

function withSource<T>(
  store: string | undefined,
  api: RegistrySource | null,
  run: (src: RegistrySource) => Promise<T>,
): Promise<T> {
  if (api) return run(api);
  return withStore(store, (s) =>
    run({ versions: (n) => s.models().listVersions(n), models: () => s.models().listModels() }),
  );
}
