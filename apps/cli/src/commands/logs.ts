import { routes } from '@hyperfleet/contract';
import { EXIT } from '../cli-error';
import { ApiClient, type ServerOptions } from '../fleet/api-client';

const TERMINAL = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);

/** `hyperfleet logs <trial> [-f]`: a trial's output from the server; -f keeps following until the trial ends. */
export async function logsCommand(trialId: string, opts: ServerOptions & { follow?: boolean }, out = process.stdout) {
  const api = new ApiClient(opts);
  let cursor = '0';
  for (;;) {
    const wait = opts.follow ? 10_000 : 0;
    const res = await api.call(routes.trials.logs, { id: trialId }, { query: { cursor, wait } });
    for (const chunk of res.chunks) out.write(chunk);
    cursor = res.cursor;
    if (!opts.follow) return EXIT.ok;
    if (res.chunks.length === 0) {
      const { trial } = await api.call(routes.trials.get, { id: trialId });
      if (TERMINAL.has(trial.status)) return EXIT.ok;
    }
  }
}
