import type { Goal } from '@hyperfleet/domain';
import { compareByGoal } from '@hyperfleet/engine';
import type { TrialRecord } from '@hyperfleet/store';
import Table from 'cli-table3';
import pc from 'picocolors';
import { formatDuration, formatMetric, formatParams } from './format';

const STATUS_COLOR: Record<TrialRecord['status'], (s: string) => string> = {
  queued: pc.dim,
  running: pc.cyan,
  succeeded: pc.green,
  failed: pc.red,
  stopped: pc.yellow,
  cancelled: pc.magenta,
};

/** Ranks trials best-first by the sweep metric (no metric last), then by index. */
export function rankTrials(trials: TrialRecord[], goal: Goal): TrialRecord[] {
  const byGoal = compareByGoal(goal);
  return [...trials].sort((a, b) => byGoal(a.metricValue, b.metricValue) || a.index - b.index);
}

export function trialDurationMs(t: TrialRecord, now: number): number | null {
  if (t.startedAt === null) return null;
  return (t.endedAt ?? now) - t.startedAt;
}

/** The ranking table: rank, trial, status, metric, key params, duration. */
export function renderTrialTable(
  ranked: TrialRecord[],
  opts: { metricName: string | null; now: number; limit?: number; color?: boolean; paramsWidth?: number },
): string {
  const paint =
    opts.color === false
      ? (_: TrialRecord['status']) => (s: string) => s
      : (st: TrialRecord['status']) => STATUS_COLOR[st];
  const table = new Table({
    head: ['#', 'trial', 'status', opts.metricName ?? 'metric', 'params', 'duration'],
    style: { head: opts.color === false ? [] : ['bold'], border: [] },
    // No rule between rows: a ranking reads better dense.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: ['right', 'left', 'left', 'right', 'left', 'right'],
  });
  const shown = opts.limit === undefined ? ranked : ranked.slice(0, opts.limit);
  shown.forEach((t, i) => {
    table.push([
      String(i + 1),
      t.id,
      paint(t.status)(t.status),
      formatMetric(t.metricValue),
      formatParams(t.params, opts.paramsWidth),
      formatDuration(trialDurationMs(t, opts.now)),
    ]);
  });
  const hidden = ranked.length - shown.length;
  return hidden > 0 ? `${table.toString()}\n  … and ${hidden} more` : table.toString();
}
