import { routes, wireReplacer } from '@hyperfleet/contract';
import type { TrackingStore, TrialRecord } from '@hyperfleet/store';
import { EXIT } from '../cli-error';
import { ApiClient, type ServerOptions, ServerRequestError } from '../fleet/api-client';
import { sweepShowCommand } from './sweep-remote';
import { formatTrialView, loadTrialView, type TrialView } from './trial-lineage-view';

/** `hyperfleet show <trial>`: the trial's lineage (code, data, env, params, seed, command, attempts, metrics). */
export async function showTrial(
  store: TrackingStore,
  trial: TrialRecord,
  opts: { json?: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const view = await loadTrialView(store, trial);
  out.write(opts.json ? `${JSON.stringify(view, wireReplacer, 2)}\n` : formatTrialView(view));
  return EXIT.ok;
}

/**
 * `hyperfleet show <trial> --server URL`: the same view, read from the controller's API (the trial, its
 * attempts and summaries, and `GET /api/trials/:id/lineage`). An id that is no trial there is shown as a sweep.
 */
export async function showFromServer(
  id: string,
  opts: ServerOptions & { json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const view = await loadTrialViewFromServer(new ApiClient(opts), id);
  if (!view) return sweepShowCommand(id, opts, out as typeof process.stdout);
  out.write(opts.json ? `${JSON.stringify(view, wireReplacer, 2)}\n` : formatTrialView(view));
  return EXIT.ok;
}

/** The trial's view from the API; null when the server has no such trial. */
export async function loadTrialViewFromServer(api: ApiClient, id: string): Promise<TrialView | null> {
  const notFound = (err: unknown) => {
    if (err instanceof ServerRequestError && err.status === 404) return null;
    throw err;
  };
  const record = await api.call(routes.trials.get, { id }).catch(notFound);
  if (!record) return null;
  const lineage = await api
    .call(routes.trials.lineage, { id })
    .then((r) => r.lineage)
    .catch(notFound);
  return { trial: record.trial, attempts: record.attempts, metrics: record.summaries, lineage };
}
