import { sweepBest } from '@hyperfleet/engine';
import { EXIT } from '../cli-error';
import { withStore } from '../open-sweep';
import { renderSweepList, type SweepListRow } from '../ui/sweep-list';

/** `hyperfleet ls`: sweeps in the local store, newest first, with trial counts and the best metric. */
export async function lsCommand(opts: { store?: string; limit?: number }, out = process.stdout): Promise<number> {
  return withStore(opts.store, async (store) => {
    const sweeps = await store.listSweeps({ limit: opts.limit });
    if (sweeps.length === 0) {
      out.write('no sweeps yet: start one with `hyperfleet run sweep.yaml`\n');
      return EXIT.ok;
    }
    const rows: SweepListRow[] = [];
    for (const sweep of sweeps) {
      const counts = await store.countTrials(sweep.id);
      const [best] = await store.listTrials(sweep.id, { rankBy: sweep.goal, limit: 1 });
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      rows.push({ sweep, total, failed: counts.failed, best: sweepBest(best)?.value ?? null });
    }
    out.write(`${renderSweepList(rows)}\n`);
    return EXIT.ok;
  });
}
