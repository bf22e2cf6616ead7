import type { TrackingStore, TrialRecord } from '@hyperfleet/store';
import { EXIT } from '../cli-error';
import { formatTrialView, loadTrialView } from './trial-lineage-view';

/** `hyperfleet show <trial>`: the trial's lineage (code, data, env, params, seed, command, attempts, metrics). */
export async function showTrial(
  store: TrackingStore,
  trial: TrialRecord,
  opts: { json?: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const view = await loadTrialView(store, trial);
  out.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : formatTrialView(view));
  return EXIT.ok;
}
