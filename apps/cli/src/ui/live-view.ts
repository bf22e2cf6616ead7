import type { Goal } from '@hyperfleet/domain';
import type { SchedulerEvent } from '@hyperfleet/engine';
import type { SweepRecord, TrialRecord } from '@hyperfleet/store';
import { createLogUpdate } from 'log-update';
import pc from 'picocolors';
import { formatDuration, formatMetric, formatParams, progressBar } from './format';
import { rankTrials, renderTrialTable, trialDurationMs } from './trial-table';

export interface LiveViewOptions {
  sweepId: string;
  method: string;
  metric: { name: string; goal: Goal } | null;
  /** Planned trial count (run_cap or grid size), null when unknown. */
  total: number | null;
  stream: NodeJS.WriteStream;
  now: () => number;
  /** Rows shown in the live table. */
  rows?: number;
}

/**
 * The terminal while a sweep runs. On a TTY: a table redrawn in place that re-ranks trials as they report,
 * under a progress bar. Elsewhere (CI, pipes): one plain line per finished trial.
 */
export class LiveView {
  private readonly trials = new Map<string, TrialRecord>();
  private readonly startedAt: number;
  private readonly tty: boolean;
  private readonly logUpdate: ReturnType<typeof createLogUpdate> | null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: LiveViewOptions) {
    this.startedAt = opts.now();
    this.tty = Boolean(opts.stream.isTTY);
    this.logUpdate = this.tty ? createLogUpdate(opts.stream) : null;
    if (this.tty) this.timer = setInterval(() => this.render(), 250);
    else opts.stream.write(`sweep ${opts.sweepId}: ${opts.method} search, ${opts.total ?? '?'} trials\n`);
  }

  handle(e: SchedulerEvent): void {
    switch (e.type) {
      case 'trial.created':
        this.trials.set(e.trial.id, e.trial);
        break;
      case 'trial.started':
        this.patch(e.trialId, { status: 'running', startedAt: this.opts.now() });
        break;
      case 'trial.metric':
        this.patch(e.trialId, { metricValue: e.value });
        break;
      case 'trial.finished':
        this.trials.set(e.trial.id, e.trial);
        if (!this.tty) this.printFinished(e.trial);
        break;
      case 'sweep.finished':
        break;
    }
  }

  /** Stops redrawing and prints the final table and the summary. */
  finish(sweep: SweepRecord): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.logUpdate) {
      this.render();
      this.logUpdate.done();
    }
    this.opts.stream.write(`${this.summary(sweep)}\n`);
  }

  private patch(id: string, patch: Partial<TrialRecord>): void {
    const t = this.trials.get(id);
    if (t) this.trials.set(id, { ...t, ...patch });
  }

  private counts(): { done: number; running: number; failed: number } {
    let done = 0;
    let running = 0;
    let failed = 0;
    for (const t of this.trials.values()) {
      if (t.status === 'running') running++;
      else if (t.status !== 'queued') done++;
      if (t.status === 'failed') failed++;
    }
    return { done, running, failed };
  }

  private render(): void {
    if (!this.logUpdate) return;
    const now = this.opts.now();
    const { done, running, failed } = this.counts();
    const header = [
      pc.bold(`sweep ${this.opts.sweepId}`),
      `${this.opts.method}`,
      progressBar(done, this.opts.total),
      `${running} running`,
      failed > 0 ? pc.red(`${failed} failed`) : `${failed} failed`,
      formatDuration(now - this.startedAt),
    ].join('  ');
    const ranked = rankTrials([...this.trials.values()], this.opts.metric?.goal ?? 'minimize');
    const rows = this.opts.rows ?? Math.max(5, (this.opts.stream.rows ?? 24) - 10);
    const paramsWidth = Math.max(30, (this.opts.stream.columns ?? 100) - 60);
    const table = renderTrialTable(ranked, {
      metricName: this.opts.metric?.name ?? null,
      now,
      limit: rows,
      paramsWidth,
    });
    this.logUpdate(`${header}\n${table}`);
  }

  private printFinished(t: TrialRecord): void {
    const { done } = this.counts();
    const metric = this.opts.metric ? ` ${this.opts.metric.name}=${formatMetric(t.metricValue)}` : '';
    const reason = t.reason ? ` (${t.reason})` : '';
    const line = `${progressBar(done, this.opts.total, 0)} ${t.id} ${t.status}${metric} ${formatParams(t.params, 80)} ${formatDuration(trialDurationMs(t, this.opts.now()))}${reason}`;
    this.opts.stream.write(`${line}\n`);
  }

  private summary(sweep: SweepRecord): string {
    const { done, failed } = this.counts();
    const lines = [`sweep ${sweep.id} ${sweep.status}: ${sweep.reason ?? ''} — ${done} trials, ${failed} failed`];
    const metric = this.opts.metric;
    const best = metric ? rankTrials([...this.trials.values()], metric.goal)[0] : undefined;
    if (metric && best && best.metricValue !== null && !Number.isNaN(best.metricValue)) {
      lines.push(pc.bold(`best trial ${best.id}: ${metric.name}=${formatMetric(best.metricValue)} (${metric.goal})`));
      lines.push(`  params: ${formatParams(best.params, 400)}`);
    } else if (metric) {
      lines.push(`no trial reported ${metric.name}`);
    }
    return lines.join('\n');
  }
}
