import Table from 'cli-table3';
import { EXIT } from '../cli-error';
import { withStore } from '../open-sweep';
import { formatMetric } from '../ui/format';

/** `hyperfleet ls`: sweeps, newest first, with trial counts and the best metric. */
export async function lsCommand(opts: { store?: string; limit?: number }, out = process.stdout): Promise<number> {
  return withStore(opts.store, async (store) => {
    const sweeps = await store.listSweeps({ limit: opts.limit });
    if (sweeps.length === 0) {
      out.write('no sweeps yet: start one with `hyperfleet run sweep.yaml`\n');
      return EXIT.ok;
    }
    const table = new Table({
      head: ['sweep', 'name', 'method', 'status', 'trials', 'failed', 'best', 'created'],
      style: { head: [], border: [] },
    });
    for (const s of sweeps) {
      const counts = await store.countTrials(s.id);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const [best] = await store.listTrials(s.id, { rankBy: s.goal, limit: 1 });
      const metric =
        s.metricName && best?.metricValue != null ? `${s.metricName}=${formatMetric(best.metricValue)}` : '-';
      table.push([
        s.id,
        s.name ?? '',
        s.method,
        s.status,
        String(total),
        String(counts.failed),
        metric,
        new Date(s.createdAt).toISOString(),
      ]);
    }
    out.write(`${table.toString()}\n`);
    return EXIT.ok;
  });
}
