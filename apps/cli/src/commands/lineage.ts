import { EXIT } from '../cli-error';
import { withStore } from '../open-sweep';
import { withLineageErrors } from './lineage-errors';
import { formatTrialView, loadTrialView } from './trial-lineage-view';

/**
 * `hyperfleet lineage NAME[@VERSION|@ALIAS] | <trial>`: model → trial → sweep → commit → data snapshot,
 * with who and when at each step.
 */
export async function lineageCommand(
  ref: string,
  opts: { store?: string; json?: boolean },
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(() =>
    withStore(opts.store, async (store) => {
      const direct = await store.getTrial(ref);
      const model = direct ? null : await store.models().resolve(ref);
      const trial = direct ?? (model ? await store.getTrial(model.trialId) : null);
      const sweep = trial ? await store.getSweep(trial.sweepId) : null;
      const view = trial ? await loadTrialView(store, trial) : null;
      if (opts.json) {
        out.write(`${JSON.stringify({ model, sweep, ...(view ?? { trial: null }) }, null, 2)}\n`);
        return EXIT.ok;
      }
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
    }),
  );
}
