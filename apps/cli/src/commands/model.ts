import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { trialMetricValue } from '@hyperfleet/engine';
import { currentActor, hashPath } from '@hyperfleet/lineage';
import { CliError, EXIT } from '../cli-error';
import { withStore } from '../open-sweep';
import { resolveRunsDir, resolveStoreUrl } from '../store-location';
import { dataCacheFor, repoRootOf } from './data-location';
import { withLineageErrors } from './lineage-errors';

export interface ModelRegisterOptions {
  store?: string;
  name: string;
  artifact: string;
  alias?: string[];
  json?: boolean;
}

/**
 * `hyperfleet model register <trial> --name N --artifact F [--alias A]`: a new numbered version pointing
 * at the trial and at the artifact's content (md5, kept in the data cache), with the trial's lineage
 * copied into its tags.
 */
export async function modelRegisterCommand(
  trialId: string,
  opts: ModelRegisterOptions,
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(() =>
    withStore(opts.store, async (store) => {
      const trial = await store.getTrial(trialId);
      if (!trial)
        throw new CliError(
          `no trial ${trialId} in this store`,
          'trial ids look like <sweep>-<n>: see `hyperfleet show <sweep>`',
          EXIT.usage,
        );
      // The artifact: a path as given, else inside the trial's outputs directory.
      const outputs = join(resolveRunsDir(resolveStoreUrl(opts.store)), trial.sweepId, trial.id, 'outputs');
      const file = [resolve(opts.artifact), isAbsolute(opts.artifact) ? null : join(outputs, opts.artifact)].find(
        (p): p is string => p !== null && existsSync(p),
      );
      if (!file) {
        throw new CliError(
          `artifact ${opts.artifact} not found (looked here and in ${outputs})`,
          'pass the path of the model file the trial wrote',
          EXIT.usage,
        );
      }
      const h = await hashPath(file);
      if (h.isDir)
        throw new CliError(
          `artifact ${opts.artifact} is a directory`,
          'register one file (archive a directory first)',
          EXIT.usage,
        );
      const repo = await repoRootOf(process.cwd()).catch(() => process.cwd());
      const cache = await dataCacheFor(repo);
      await cache.addFile(file, h.md5);
      const artifact = { hash: `md5:${h.md5}`, size: h.size, uri: cache.pathFor(h.md5) };
      const lineage = await store.lineage().getLineage(trial.id);
      const sweep = await store.getSweep(trial.sweepId);
      const sweepMetric = sweep?.metricName ? { name: sweep.metricName, goal: sweep.goal } : null;
      // The values the run summary and `reproduce` show: the sweep metric at its best by the sweep's goal.
      const metrics = Object.fromEntries(
        (await store.getSummaries(trial.id)).map((m) => [m.key, trialMetricValue(m, sweepMetric)]),
      );
      const tags: Record<string, unknown> = {
        sweep: trial.sweepId,
        commit: lineage?.code?.commit ?? null,
        remote: lineage?.code?.remote ?? null,
        diff: lineage?.code?.diff?.hash ?? null,
        data: Object.fromEntries((lineage?.data ?? []).map((d) => [d.path, d.md5])),
        identity: lineage?.identity ?? null,
        params: trial.params,
        seed: trial.seed,
        metrics,
      };
      await store.addArtifact({
        trialId: trial.id,
        name: opts.name,
        hash: artifact.hash,
        size: artifact.size,
        uri: artifact.uri,
        createdAt: Date.now(),
      });
      const v = await store.models().register({
        name: opts.name,
        trialId: trial.id,
        artifact,
        tags,
        aliases: opts.alias ?? [],
        actor: currentActor(),
        at: Date.now(),
      });
      out.write(
        opts.json
          ? `${JSON.stringify(v, null, 2)}\n`
          : `registered ${v.name} version ${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''} from trial ${trial.id}, artifact ${artifact.hash}\n`,
      );
      return EXIT.ok;
    }),
  );
}

/** `hyperfleet model ls [NAME]`: models with latest version and aliases, or one model's versions. */
export async function modelLsCommand(
  name: string | undefined,
  opts: { store?: string; json?: boolean },
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(() =>
    withStore(opts.store, async (store) => {
      if (name) {
        const versions = await store.models().listVersions(name);
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
      const models = await store.models().listModels();
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
  opts: { store?: string },
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(() =>
    withStore(opts.store, async (store) => {
      await store.models().setAlias(name, alias, version, currentActor(), Date.now());
      out.write(`${name}@${alias} → version ${version}\n`);
      return EXIT.ok;
    }),
  );
}

export async function modelDeleteCommand(
  name: string,
  version: number,
  opts: { store?: string },
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(() =>
    withStore(opts.store, async (store) => {
      await store.models().deleteVersion(name, version, currentActor(), Date.now());
      out.write(`deleted ${name} version ${version} (kept in the audit log)\n`);
      return EXIT.ok;
    }),
  );
}
