import { describeDroppedPoints, type MetricSummary } from '@hyperfleet/domain';
import type { TrialLineage } from '@hyperfleet/lineage';
import type { AttemptRecord, TrackingStore, TrialRecord } from '@hyperfleet/store';

/** Everything known about one trial: its record, attempts, final metrics and pins. */
export interface TrialView {
  trial: TrialRecord;
  attempts: AttemptRecord[];
  metrics: MetricSummary[];
  lineage: TrialLineage | null;
}

export async function loadTrialView(store: TrackingStore, trial: TrialRecord): Promise<TrialView> {
  const [attempts, metrics, lineage] = await Promise.all([
    store.listAttempts(trial.id),
    store.getSummaries(trial.id),
    store.lineage().getLineage(trial.id),
  ]);
  return { trial, attempts, metrics, lineage };
}

/** The lineage block `show <trial>` and `lineage` print: code, data, env, params, seed, command, runs. */
export function formatTrialView(v: TrialView): string {
  const { trial, lineage: l } = v;
  const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
  const lines = [
    `trial     ${trial.id} (sweep ${trial.sweepId}, #${trial.index})`,
    `status    ${trial.status}${trial.reason ? ` — ${trial.reason}` : ''}${trial.exitCode === null ? '' : `, exit ${trial.exitCode}`}`,
    `times     created ${iso(trial.createdAt)}, started ${iso(trial.startedAt)}, ended ${iso(trial.endedAt)}`,
  ];
  if (!l) {
    lines.push('lineage   none recorded (run before lineage existed, or recorded elsewhere)');
  } else {
    const c = l.code;
    lines.push(`identity  ${l.identity}`);
    if (c) {
      lines.push(
        `repo      ${c.remote ?? '(no remote)'}  [${c.repoRoot}${c.subdir ? `/${c.subdir}` : ''}]`,
        `commit    ${c.commit}${c.branch ? ` (${c.branch})` : ''}${c.pushed ? '' : ' — not pushed'}`,
        `diff      ${c.diff ? `${c.diff.hash} (${c.diff.size} B, ${c.diff.files.length} file(s): ${c.diff.files.slice(0, 5).join(', ')})` : 'clean'}`,
      );
      if (c.untracked.length > 0) lines.push(`untracked ${c.untracked.length} file(s), policy ${c.untrackedPolicy}`);
    } else lines.push('code      not pinned (not a git repository)');
    for (const d of l.data) lines.push(`data      ${d.path}  ${d.md5}  (${d.size} B, from ${d.source})`);
    if (l.env) {
      lines.push(`env       node ${l.env.node}${l.env.python ? `, python ${l.env.python}` : ''}, ${l.env.os}`);
      for (const [f, h] of Object.entries(l.env.lockfiles)) lines.push(`lockfile  ${f}  ${h}`);
      if (l.env.image) lines.push(`image     ${l.env.image}`);
      for (const g of l.env.gpus) lines.push(`gpu       ${g.name} (driver ${g.driver})`);
    }
    lines.push(`actor     ${l.actor ?? '-'}`);
  }
  lines.push(
    `params    ${JSON.stringify(trial.params)}`,
    `seed      ${trial.seed}`,
    `command   ${JSON.stringify(trial.command ?? [])}`,
  );
  for (const a of v.attempts) {
    lines.push(
      `attempt   #${a.attempt} on ${a.worker ?? '-'}: ${a.status}${a.exitCode === null ? '' : ` (exit ${a.exitCode})`}, ${iso(a.startedAt)} → ${iso(a.endedAt)}`,
    );
  }
  for (const m of v.metrics)
    lines.push(`metric    ${m.key} last ${m.last} (step ${m.lastStep}), min ${m.min}, max ${m.max}`);
  for (const line of describeDroppedPoints(v.trial.droppedPoints ?? {})) lines.push(`dropped   ${line}`);
  return `${lines.join('\n')}\n`;
}
