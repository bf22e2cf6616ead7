import type { SweepRecord } from '@hyperfleet/store';
import Table from 'cli-table3';
import { formatMetric } from './format';

/** One row of `ls` / `sweep ls`, whether it came from the local store or the server. */
export interface SweepListRow {
  sweep: SweepRecord;
  total: number;
  failed: number;
  best: number | null;
}

export function renderSweepList(rows: SweepListRow[]): string {
  const table = new Table({
    head: ['sweep', 'project', 'name', 'method', 'status', 'trials', 'failed', 'best', 'created'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const { sweep: s, total, failed, best } of rows) {
    const metric = s.metricName && best !== null ? `${s.metricName}=${formatMetric(best)}` : '-';
    table.push([
      s.id,
      s.project,
      s.name ?? '',
      s.method,
      s.status,
      String(total),
      String(failed),
      metric,
      new Date(s.createdAt).toISOString(),
    ]);
  }
  return table.toString();
}
