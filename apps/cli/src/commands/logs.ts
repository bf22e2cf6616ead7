import { routes } from '@hyperfleet/contract';
import { TERMINAL_TRIAL_STATUSES } from '@hyperfleet/domain';
import { EXIT } from '../cli-error';
import { ApiClient, type ServerOptions } from '../fleet/api-client';

/**
 * How long one follow poll waits for new output. The trial's end is checked after every quiet poll, so this bounds
 * how late `logs -f` exits once the trial has ended (a 10 s poll made it exit 10 s late).
 */
const FOLLOW_POLL_MS = 1_000;

/** `hyperfleet logs <trial> [-f]`: a trial's output from the server; -f keeps following until the trial ends. */
export async function logsCommand(trialId: string, opts: ServerOptions & { follow?: boolean }, out = process.stdout) {
  const api = new ApiClient(opts);
  let cursor = '0';
  for (;;) {
    const wait = opts.follow ? FOLLOW_POLL_MS : 0;
    const res = await api.call(routes.trials.logs, { id: trialId }, { query: { cursor, wait } });
    for (const chunk of res.chunks) out.write(chunk);
    cursor = res.cursor;
    if (!opts.follow) return EXIT.ok;
    if (res.chunks.length === 0) {
      const { trial } = await api.call(routes.trials.get, { id: trialId });
      if (TERMINAL_TRIAL_STATUSES.includes(trial.status)) return EXIT.ok;
    }
  }
}
