import { flattenParams } from '@hyperfleet/domain';
import type { TrialRecord } from '@hyperfleet/store';
import { CliError, EXIT } from '../cli-error';
import { findSweep, withStore } from '../open-sweep';

/** `hyperfleet export <sweep> --format csv|json`: one row per trial, params flattened into columns. */
export async function exportCommand(
  id: string,
  opts: { store?: string; format?: string },
  out = process.stdout,
): Promise<number> {
  const format = opts.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') {
    throw new CliError(`unknown export format "${format}"`, 'use --format csv or --format json', EXIT.usage);
  }
  return withStore(opts.store, async (store) => {
    const sweep = await findSweep(store, id);
    const trials = await store.listTrials(sweep.id, { rankBy: sweep.goal });
    if (format === 'json') {
      const withSummaries = await Promise.all(
        trials.map(async (t) => ({ ...t, summaries: await store.getSummaries(t.id) })),
      );
      out.write(`${JSON.stringify({ sweep, trials: withSummaries }, null, 2)}\n`);
    } else {
      out.write(toCsv(trials, sweep.metricName));
    }
    return EXIT.ok;
  });
}

export function toCsv(trials: TrialRecord[], metricName: string | null): string {
  const paramNames = [...new Set(trials.flatMap((t) => Object.keys(flattenParams(t.params))))];
  const head = [
    'trial_id',
    'index',
    'status',
    metricName ?? 'metric',
    'duration_s',
    'exit_code',
    'seed',
    'reason',
    ...paramNames,
  ];
  const rows = trials.map((t) => {
    const params = new Map(Object.entries(flattenParams(t.params)));
    const duration = t.startedAt !== null && t.endedAt !== null ? (t.endedAt - t.startedAt) / 1000 : null;
    return [
      t.id,
      t.index,
      t.status,
      t.metricValue,
      duration,
      t.exitCode,
      t.seed,
      t.reason,
      ...paramNames.map((p) => params.get(p)),
    ];
  });
  return `${[head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/** RFC 4180: quote when needed, double the quotes inside. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
