import { wireReplacer } from '@hyperfleet/contract';
import { EXIT } from '../cli-error';
import { findSweep, withStore } from '../open-sweep';
import { formatDuration } from '../ui/format';
import { renderTrialTable } from '../ui/trial-table';
import { showTrial } from './show-trial';

/** `hyperfleet show <sweep> [--json]`: the sweep, then its trials ranked by the metric. */
export async function showCommand(
  id: string,
  opts: { store?: string; json?: boolean },
  out = process.stdout,
): Promise<number> {
  return withStore(opts.store, async (store) => {
    const trial = await store.getTrial(id); // a trial id shows that trial's lineage
    if (trial) return showTrial(store, trial, opts, out);
    const sweep = await findSweep(store, id);
    const trials = await store.listTrials(sweep.id, { rankBy: sweep.goal });
    if (opts.json) {
      // NaN/±Infinity by their names, as the API writes them (plain JSON would turn them into null).
      out.write(`${JSON.stringify({ sweep, trials }, wireReplacer, 2)}\n`);
      return EXIT.ok;
    }
    const ended = sweep.finishedAt ?? Date.now();
    out.write(
      [
        `sweep     ${sweep.id}${sweep.name ? ` (${sweep.name})` : ''}`,
        `status    ${sweep.status}${sweep.reason ? ` — ${sweep.reason}` : ''}`,
        `method    ${sweep.method}, seed ${sweep.seed}`,
        `metric    ${sweep.metricName ? `${sweep.metricName} (${sweep.goal})` : 'none'}`,
        `created   ${new Date(sweep.createdAt).toISOString()}, ran ${formatDuration(ended - sweep.createdAt)}`,
        '',
        renderTrialTable(trials, {
          metricName: sweep.metricName,
          now: Date.now(),
          color: Boolean(out.isTTY),
          paramsWidth: Math.max(48, (out.columns ?? 120) - 60),
        }),
        '',
      ].join('\n'),
    );
    return EXIT.ok;
  });
}
