import type { ColumnarPoints, RungView, SweepSnapshot, SweepSummaryView, TrialRowView } from '@hyperfleet/domain';
import { maySubmit, onCapabilities, whyNot } from '../capabilities';
import { CurvesChart } from '../charts/curves-chart';
import { parallelCoords } from '../charts/parallel-coords';
import { scatterView } from '../charts/scatter';
import { apiPost, type DashSocket, listen, request, setEndedCheck } from '../connection';
import { paramImportance } from '../data/importance';
import { formatNumber, paramAt } from '../data/params';
import { SweepModel } from '../data/sweep-model';
import { mark, probe } from '../probe';
import { sweepHref } from '../router';
import { DeltaHold } from '../ui/delta-hold';
import { confirmDialog, toast } from '../ui/dialogs';
import { clear, h, setText } from '../ui/dom';
import { formatAge } from '../ui/format';
import { frameJob } from '../ui/frame';
import { TrialTable } from '../ui/trial-table';
import { progressOf, setCrumbs } from './sweeps-page';

const TOP_K = [5, 10, 20, 50];
// Per curve in the snapshot (server-side LTTB, which keeps a curve's shape): 1,000 trials × 100 points is a
// ~2.8 MB snapshot (200 points: 5.2 MB and ~100 ms more to load). Live points after it append at full resolution.
const MAX_POINTS_PER_CURVE = 100;

type SweepAction = 'pause' | 'resume' | 'stop' | 'cancel';
const ACTION_TEXT: Record<SweepAction, { label: string; body: string; danger: boolean }> = {
  pause: { label: 'Pause', body: 'No new trials start; running trials finish.', danger: false },
  resume: { label: 'Resume', body: 'The sweep starts new trials again.', danger: false },
  stop: { label: 'Stop', body: 'No new trials start; the sweep finishes when the running trials do.', danger: true },
  cancel: { label: 'Cancel', body: 'Running trials are stopped now and the sweep ends as cancelled.', danger: true },
};

/** `/sweeps/:id`: ranked table, curves, parallel coordinates, importance, scatter, rungs and admin actions. */
export function sweepPage(main: HTMLElement, socket: DashSocket, sweepId: string): () => void {
  document.title = `${sweepId} · hyperfleet`;
  setCrumbs([{ label: sweepId }]);
  let disposed = false;
  const status = h('p', { class: 'muted' }, 'Loading the sweep…');
  main.append(status);
  let view: SweepView | null = null;
  // Deltas that arrive between the join and its ack are as new as the snapshot or newer: held, then applied.
  const held = new DeltaHold();

  const onSnapshot = (snap: SweepSnapshot) => {
    if (disposed) return; // an ack that arrives after the user left: another page owns <main> now
    mark('sweepSnapshot');
    view?.dispose();
    clear(main);
    // The view's settings live in the URL, so a re-join after a reconnect keeps the current ones.
    view = new SweepView(main, snap, new URLSearchParams(location.search));
    mark('sweepViewBuilt');
    held.release();
  };
  const join = () => {
    held.hold();
    mark('sweepJoin');
    request(socket, 'sweep:join', { sweepId, maxPointsPerCurve: MAX_POINTS_PER_CURVE })
      .then(onSnapshot)
      .catch((err: Error) => {
        if (disposed) return;
        held.drop();
        view?.dispose();
        view = null;
        clear(main);
        main.append(
          h(
            'section',
            { class: 'card' },
            h('h1', {}, `Sweep ${sweepId}`),
            h('p', { class: 'error' }, err.message),
            h('a', { href: '/', 'data-link': true }, 'All sweeps'),
          ),
        );
      });
  };
  const onMetrics = (b: { sweepId: string; points: ColumnarPoints }) => {
    if (b.sweepId === sweepId) held.run(() => view?.onMetrics(b.points));
  };
  const onTrial = (t: TrialRowView) => {
    if (t.sweepId === sweepId) held.run(() => view?.onTrial(t));
  };
  const onSweep = (s: SweepSummaryView) => {
    if (s.id === sweepId) held.run(() => view?.onSweep(s));
  };
  const onRungs = (u: { sweepId: string; rungs: RungView[] }) => {
    if (u.sweepId === sweepId) held.run(() => view?.onRungs(u.rungs));
  };
  const offEnded = setEndedCheck(() => view?.ended() ?? false);
  const unlisten = listen(socket, {
    metrics: onMetrics,
    'trial:update': onTrial,
    'sweep:update': onSweep,
    'sweep:rungs': onRungs,
    connect: join,
  });
  return () => {
    disposed = true;
    unlisten();
    offEnded();
    if (socket.connected) socket.emit('sweep:leave', { sweepId });
    view?.dispose();
  };
}

class SweepView {
  private readonly model: SweepModel;
  private readonly table: TrialTable;
  private readonly curves: CurvesChart;
  private readonly pc;
  private readonly scatter;
  private readonly header: HTMLElement;
  private readonly importanceEl: HTMLElement;
  private readonly rungsEl: HTMLElement;
  private readonly actions: Map<SweepAction, HTMLButtonElement> = new Map();
  private topK: number;
  private log: boolean;
  private scatterParam: string | null;
  private readonly xChoices: string[];
  private readonly topJob;
  private readonly slowJob;
  private readonly headerJob;
  private readonly stopWaiting: () => void;

  constructor(main: HTMLElement, snap: SweepSnapshot, query: URLSearchParams) {
    const model = new SweepModel(snap);
    this.model = model;
    const s = snap.sweep;
    document.title = `${s.name ?? s.id} · hyperfleet`;
    setCrumbs([{ label: s.name ?? s.id, href: sweepHref(s.id) }]);
    this.topK = Number(query.get('top')) || 10;
    this.log = query.get('log') === '1';
    const varying = model.varyingParams();
    this.xChoices = varying.length ? varying : model.paramNames;
    const askedX = query.get('x');
    this.scatterParam = askedX && model.paramNames.includes(askedX) ? askedX : (this.xChoices[0] ?? null);

    this.header = h('div', { class: 'sweep-head' });
    const actionBar = h('div', { class: 'actions', role: 'group', 'aria-label': 'Sweep actions' });
    for (const a of Object.keys(ACTION_TEXT) as SweepAction[]) {
      const text = ACTION_TEXT[a];
      const btn = h('button', { type: 'button', class: text.danger ? 'danger' : '', 'data-action': a }, text.label);
      btn.addEventListener('click', () => void this.act(a));
      this.actions.set(a, btn);
      actionBar.append(btn);
    }

    this.table = new TrialTable(
      model,
      { sort: query.get('sort'), dir: query.get('dir'), state: query.get('state') },
      () => this.saveQuery(),
      (id) => this.curves.highlight(id),
    );

    this.curves = new CurvesChart({
      title: `Learning curves of the best trials (${model.metricName ?? 'metric'} by step)`,
      yLabel: model.metricName ?? 'metric',
      onDrawn: () => mark('curvesDrawn'),
      markers: () => this.model.rungs.map((r) => r.step),
    });
    this.curves.setLog(this.log);
    const topSelect = h(
      'select',
      { id: 'top-k', 'aria-label': 'How many of the best trials to draw' },
      ...TOP_K.map((k) => h('option', { value: k, selected: k === this.topK }, `top ${k}`)),
    );
    topSelect.addEventListener('change', () => {
      this.topK = Number(topSelect.value);
      this.saveQuery();
      this.topJob.mark();
    });
    const logBox = h('input', { type: 'checkbox', id: 'log-scale', checked: this.log });
    logBox.addEventListener('change', () => {
      this.log = logBox.checked;
      this.curves.setLog(this.log);
      this.saveQuery();
    });

    this.pc = parallelCoords(model);
    this.scatter = scatterView(model, () => this.scatterParam);
    const xSelect = h(
      'select',
      { id: 'scatter-x', 'aria-label': 'Parameter on the x axis' },
      ...model.paramNames.map((p) => h('option', { value: p, selected: p === this.scatterParam }, p)),
    );
    xSelect.addEventListener('change', () => {
      this.scatterParam = xSelect.value;
      this.saveQuery();
      this.scatter.redraw();
    });
    this.importanceEl = h('div', { class: 'importance' });
    this.rungsEl = h('div', { class: 'rungs' });

    main.append(
      h('section', { class: 'card' }, this.header, actionBar),
      h('section', { class: 'card', id: 'trials' }, h('h2', {}, 'Trials'), this.table.el),
      h(
        'section',
        { class: 'card', id: 'curves' },
        h(
          'div',
          { class: 'card-head' },
          h('h2', {}, 'Learning curves'),
          topSelect,
          h('label', {}, logBox, ' log scale'),
        ),
        this.curves.el,
      ),
      h(
        'div',
        { class: 'two-col' },
        h('section', { class: 'card', id: 'parallel' }, h('h2', {}, 'Parallel coordinates'), this.pc.el),
        h(
          'section',
          { class: 'card', id: 'importance' },
          h('h2', {}, 'Parameter importance'),
          h(
            'p',
            { class: 'muted small' },
            '|Spearman ρ| for numeric parameters, correlation ratio η for categorical ones, on metric ranks. No interactions.',
          ),
          this.importanceEl,
        ),
      ),
      h(
        'div',
        { class: 'two-col' },
        h(
          'section',
          { class: 'card', id: 'scatter' },
          h('div', { class: 'card-head' }, h('h2', {}, 'Metric vs parameter'), xSelect),
          this.scatter.el,
        ),
        h('section', { class: 'card', id: 'rungs' }, h('h2', {}, 'Early stopping'), this.rungsEl),
      ),
    );

    probe().curvesXRange = () => this.curves.xRange();
    probe().curves = () =>
      [...model.curves].map(([trialId, c]) => ({ trialId, length: c.length, lastStep: c.lastStep }));
    this.headerJob = frameJob(() => this.renderHeader(), 250);
    this.stopWaiting = onCapabilities(() => this.headerJob.mark());
    this.topJob = frameJob(() => this.renderTopK(), 500);
    this.slowJob = frameJob(() => this.renderSlow(), 1000);
    this.headerJob.mark();
    this.topJob.mark();
    this.slowJob.mark();
  }

  onMetrics(points: ColumnarPoints): void {
    if (this.model.applyMetrics(points) === 0) return;
    this.curves.update();
    this.table.refresh();
    this.topJob.mark();
    this.slowJob.mark();
  }

  onTrial(t: TrialRowView): void {
    this.model.applyTrial(t);
    this.table.refresh();
    this.topJob.mark();
    this.slowJob.mark();
  }

  ended(): boolean {
    const st = this.model.sweep.status;
    return st === 'finished' || st === 'failed' || st === 'cancelled';
  }

  onSweep(s: SweepSummaryView): void {
    this.model.applySweep(s);
    this.headerJob.mark();
  }

  /** Rungs moved (trials reached one, or were stopped at one): the table and the curves' markers follow. */
  onRungs(rungs: RungView[]): void {
    this.model.rungs = rungs;
    this.curves.update();
    this.slowJob.mark();
  }

  private saveQuery(): void {
    const q = new URLSearchParams(this.table.query);
    if (this.topK !== 10) q.set('top', String(this.topK));
    if (this.log) q.set('log', '1');
    if (this.scatterParam && this.scatterParam !== this.xChoices[0]) q.set('x', this.scatterParam);
    const qs = q.toString();
    history.replaceState(null, '', location.pathname + (qs ? `?${qs}` : ''));
  }

  private renderHeader(): void {
    const s = this.model.sweep;
    const p = progressOf(s);
    clear(this.header);
    this.header.append(
      h('h1', {}, s.name ?? s.id, ' ', h('span', { class: `badge ${s.status}`, id: 'sweep-status' }, s.status)),
      h(
        'p',
        { class: 'meta' },
        h('span', {}, `${s.method} search`),
        s.metricName ? h('span', {}, `${s.goal} ${s.metricName}`) : null,
        h('span', {}, `${p.done}/${p.total ?? '?'} done, ${p.running} running, ${s.counts.queued ?? 0} queued`),
        s.best ? h('span', {}, `best ${formatNumber(s.best.value)} (${s.best.trialId})`) : null,
        h('span', { title: new Date(s.createdAt).toISOString() }, `started ${formatAge(s.createdAt)}`),
        s.reason ? h('span', { class: 'muted' }, s.reason) : null,
      ),
    );
    const live = s.status === 'running' || s.status === 'paused';
    // A token that may only read the project sees the controls disabled, and why.
    const may = maySubmit(s.project);
    const usable: Record<SweepAction, boolean> = {
      pause: s.status === 'running',
      resume: s.status === 'paused',
      stop: live,
      cancel: live,
    };
    for (const [a, btn] of this.actions) {
      btn.disabled = !may || !usable[a];
      if (may) btn.removeAttribute('title');
      else btn.title = whyNot(s.project);
    }
  }

  private async act(a: SweepAction): Promise<void> {
    const text = ACTION_TEXT[a];
    const ok = await confirmDialog({
      title: `${text.label} sweep ${this.model.sweep.name ?? this.model.sweep.id}?`,
      body: text.body,
      confirm: text.label,
      danger: text.danger,
    });
    if (!ok) return;
    try {
      await apiPost(`/api/sweeps/${encodeURIComponent(this.model.sweep.id)}/${a}`);
      toast(`${text.label}: done`);
    } catch (err) {
      toast(`${text.label} failed: ${(err as Error).message}`, 'error');
    }
  }

  private renderTopK(): void {
    // Stable order (by trial index) so a change of ranks inside the top k does not rebuild the chart.
    const top = this.model.topK(this.topK).sort((a, b) => a.index - b.index);
    this.curves.setCurves(
      top.map((t) => ({ id: t.id, label: `trial ${t.index}`, series: this.model.curves.get(t.id)! })),
    );
  }

  private renderSlow(): void {
    this.pc.redraw();
    this.scatter.redraw();
    this.renderImportance();
    this.renderRungs();
  }

  private renderImportance(): void {
    const rows = this.model
      .ranking()
      .map((t) => ({ params: (n: string) => paramAt(t.params, n), value: t.metricValue }));
    const imp = paramImportance(this.model.varyingParams(), rows);
    clear(this.importanceEl);
    if (imp.every((i) => Number.isNaN(i.score))) {
      this.importanceEl.append(h('p', { class: 'muted' }, 'Needs at least 5 trials with a metric value.'));
      return;
    }
    for (const i of imp) {
      const pct = Number.isNaN(i.score) ? 0 : Math.round(i.score * 100);
      this.importanceEl.append(
        h(
          'div',
          { class: 'bar-row' },
          h('span', { class: 'bar-label' }, i.name),
          h(
            'span',
            {
              class: 'bar',
              role: 'meter',
              'aria-valuemin': 0,
              'aria-valuemax': 1,
              'aria-valuenow': i.score.toFixed(2),
              'aria-label': i.name,
            },
            h('span', { style: `width:${pct}%` }),
          ),
          h(
            'span',
            { class: 'num' },
            Number.isNaN(i.score) ? 'n/a' : `${i.score.toFixed(2)} ${i.method === 'eta' ? 'η' : 'ρ'}`,
          ),
        ),
      );
    }
  }

  private renderRungs(): void {
    const stopped = this.model.ranking().filter((t) => t.status === 'stopped');
    clear(this.rungsEl);
    const rungs = this.model.rungs;
    if (rungs.length === 0 && stopped.length === 0) {
      this.rungsEl.append(h('p', { class: 'muted' }, 'No early-stopping rule has fired (or the sweep has none).'));
      return;
    }
    if (rungs.length) {
      this.rungsEl.append(
        h(
          'table',
          { class: 'grid compact' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Rung (report #)', 'At step', 'Cutoff', 'Survivors', 'Stopped'].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...rungs.map((r) =>
              h(
                'tr',
                {},
                // `iteration` (the n-th report, as the rule counts) came after v1, where `step` held it.
                h('td', { class: 'num' }, String(r.iteration ?? r.step)),
                h('td', { class: 'num' }, formatNumber(r.step)),
                h('td', { class: 'num' }, formatNumber(r.threshold)),
                h('td', { class: 'num' }, String(r.survivors)),
                h('td', { class: 'num' }, String(r.stopped)),
              ),
            ),
          ),
        ),
      );
    }
    const stoppedEl = h('p', { class: 'muted' });
    setText(stoppedEl, `${stopped.length} trial${stopped.length === 1 ? '' : 's'} stopped early`);
    this.rungsEl.append(stoppedEl);
    if (stopped.length) {
      this.rungsEl.append(
        h(
          'ul',
          { class: 'stopped-list' },
          ...stopped
            .slice(0, 20)
            .map((t) =>
              h(
                'li',
                {},
                h('a', { href: `/trials/${encodeURIComponent(t.id)}`, 'data-link': true }, `trial ${t.index}`),
                `: ${t.reason ?? 'no reason given'}`,
              ),
            ),
        ),
      );
    }
  }

  dispose(): void {
    this.table.dispose();
    this.curves.dispose();
    this.pc.dispose();
    this.scatter.dispose();
    this.topJob.dispose();
    this.slowJob.dispose();
    this.headerJob.dispose();
    this.stopWaiting();
  }
}
