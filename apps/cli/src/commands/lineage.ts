import { type ModelVersionBody, routes, type SweepRecordBody } from '@hyperfleet/contract';
import type { ModelVersionRecord, SweepRecord, TrackingStore } from '@hyperfleet/store';
import { EXIT } from '../cli-error';
import type { ApiClient, ServerOptions } from '../fleet/api-client';
import { apiTarget } from '../fleet/api-target';
import { withStore } from '../open-sweep';
import { withLineageErrors } from './lineage-errors';
import { loadTrialViewFromServer } from './show-trial';
import { formatTrialView, loadTrialView, type TrialView } from './trial-lineage-view';

/**
 * `hyperfleet lineage NAME[@VERSION|@ALIAS] | <trial>`: model → trial → sweep → commit → data snapshot,
 * with who and when at each step.
 */
export async function lineageCommand(
  ref: string,
  opts: ServerOptions & { store?: string; json?: boolean },
  out = process.stdout,
): Promise<number> {
  const api = apiTarget(opts);
  return withLineageErrors(() =>
    (api ? fromServer(api, ref) : withStore(opts.store, (store) => fromStore(store, ref))).then(
      ({ model, sweep, view }) => {
        if (opts.json) {
          out.write(`${JSON.stringify({ model, sweep, ...(view ?? { trial: null }) }, null, 2)}\n`);
          return EXIT.ok;
        }
        const trial = view?.trial ?? null;
        if (model) {
          out.write(
            [
              `model     ${model.name} version ${model.version}${model.aliases.length ? ` (${model.aliases.join(', ')})` : ''}${model.deletedAt ? ' — DELETED' : ''}`,
              `artifact  ${model.artifact.hash} (${model.artifact.size} B) at ${model.artifact.uri}`,
              `registered ${new Date(model.createdAt).toISOString()} by ${model.createdBy ?? '-'}`,
              '',
            ].join('\n'),
          );
        }
        if (!trial || !view) {
          out.write(
            `trial     ${model?.trialId ?? ref} is no longer in this store; tags recorded at registration:\n${JSON.stringify(model?.tags ?? {}, null, 2)}\n`,
          );
          return EXIT.ok;
        }
        if (sweep) {
          out.write(
            `sweep     ${sweep.id}${sweep.name ? ` (${sweep.name})` : ''}, ${sweep.method}, seed ${sweep.seed}, created ${new Date(sweep.createdAt).toISOString()}\n`,
          );
        }
        out.write(formatTrialView(view));
        return EXIT.ok;
      },
    ),
  );
}

interface LineageChain {
  model: ModelVersionRecord | ModelVersionBody | null;
  sweep: SweepRecord | SweepRecordBody | null;
  view: TrialView | null;
}

async function fromStore(store: TrackingStore, ref: string): Promise<LineageChain> {
  const direct = await store.getTrial(ref);
  const model = direct ? null : await store.models().resolve(ref);
  const trial = direct ?? (model ? await store.getTrial(model.trialId) : null);
  const sweep = trial ? await store.getSweep(trial.sweepId) : null;
  return { model, sweep, view: trial ? await loadTrialView(store, trial) : null };
}

/** The same chain through the API: a trial id, else a model ref; what the token cannot read is not found. */
async function fromServer(api: ApiClient, ref: string): Promise<LineageChain> {
  const direct = await loadTrialViewFromServer(api, ref);
  const model = direct ? null : (await api.call(routes.models.resolve, { ref })).version;
  const view = direct ?? (model ? await loadTrialViewFromServer(api, model.trialId) : null);
  const sweep = view ? (await api.call(routes.sweeps.get, { id: view.trial.sweepId })).sweep : null;
  return { model, sweep, view };
}
