import { type ColumnarPoints, decodeTrialRow, type TrialRowView, type TrialSnapshot } from '@hyperfleet/domain';
import { maySubmit, onCapabilities, whyNot } from '../capabilities';
import { CurvesChart } from '../charts/curves-chart';
import { ApiCallError, apiPost, type DashSocket, listen, request } from '../connection';
import { formatNumber, formatParam } from '../data/params';
import { Series } from '../data/series';
import { mark } from '../probe';
import { sweepHref } from '../router';
import { DeltaHold } from '../ui/delta-hold';
import { confirmDialog, toast } from '../ui/dialogs';
import { clear, h } from '../ui/dom';
import { formatDuration, trialDuration } from '../ui/format';
import { frameJob } from '../ui/frame';
import { setCrumbs } from './sweeps-page';

const LOG_LIMIT = 256 * 1024;

/** `/trials/:id`: params, a chart per metric key, the live log tail, lineage and the reproduce command. */
export function trialPage(main: HTMLElement, socket: DashSocket, trialId: string): () => void {
  document.title = `${trialId} · hyperfleet`;
  setCrumbs([{ label: trialId }]);
  main.append(h('p', { class: 'muted' }, 'Loading the trial…'));
  let view: TrialView | null = null;
  let disposed = false;
  const held = new DeltaHold();
  const join = () => {
    held.hold();
    request(socket, 'trial:join', { trialId, maxPointsPerCurve: 1000 })
      .then((snap) => {
        if (disposed) return; // the user left before the ack: another page owns <main> now
        view?.dispose();
        clear(main);
        view = new TrialView(main, snap);
        held.release();
      })
      .catch((err: Error) => {
        if (disposed) return;
        held.drop();
        view?.dispose();
        view = null;
        clear(main);
        main.append(
          h('section', { class: 'card' }, h('h1', {}, `Trial ${trialId}`), h('p', { class: 'error' }, err.message)),
        );
      });
  };
  const onMetrics = (b: { sweepId: string; points: ColumnarPoints }) => held.run(() => view?.onMetrics(b.points));
  const onTrial = (t: TrialRowView) => {
    if (t.id === trialId) held.run(() => view?.onTrial(t));
  };
  // The log room is joined after the snapshot's tail was taken, so log chunks never need holding.
  const onLog = (c: { trialId: string; text: string }) => {
    if (c.trialId === trialId) view?.onLog(c.text);
  };
  const unlisten = listen(socket, { metrics: onMetrics, 'trial:update': onTrial, 'trial:log': onLog, connect: join });
  return () => {
    disposed = true;
    unlisten();
    if (socket.connected) socket.emit('trial:leave', { trialId });
    view?.dispose();
  };
}

class TrialView {
  private trial: TrialRowView;
  private readonly series = new Map<string, Series>();
  private readonly charts = new Map<string, CurvesChart>();
  private readonly chartsEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly logEl: HTMLPreElement;
  /** Output not yet on screen, and how much the <pre> holds (appends are text nodes; trimmed now and then). */
  private pendingLog = '';
  private logChars: number;
  private readonly logJob;
  private readonly summaryJob;
  private readonly stopBtn: HTMLButtonElement;
  private readonly project: string;
  private readonly stopWaiting: () => void;

  constructor(main: HTMLElement, snap: TrialSnapshot) {
    this.trial = decodeTrialRow(snap.trial);
    this.project = snap.project;
    const t = this.trial;
    document.title = `trial ${t.index} of ${t.sweepId} · hyperfleet`;
    setCrumbs([{ label: t.sweepId, href: sweepHref(t.sweepId) }, { label: `trial ${t.index}` }]);
    for (const c of snap.curves) this.series.set(c.key, Series.from(c.steps, c.values));
    this.summaryEl = h('div', { class: 'trial-summary' });
    this.chartsEl = h('div', { class: 'charts' });
    this.logChars = snap.logTail.length;
    this.logEl = h('pre', { class: 'log', id: 'log-tail', tabindex: 0, 'aria-label': 'Log tail' });
    this.logEl.textContent = snap.logTail;
    this.stopBtn = h('button', { type: 'button', class: 'danger', 'data-action': 'stop-trial' }, 'Stop trial');
    this.stopBtn.addEventListener('click', () => void this.stop());

    main.append(
      h('section', { class: 'card' }, this.summaryEl, h('div', { class: 'actions' }, this.stopBtn)),
      h(
        'div',
        { class: 'two-col' },
        h('section', { class: 'card', id: 'params' }, h('h2', {}, 'Parameters'), paramList(t)),
        lineageCard(snap),
      ),
      h('section', { class: 'card', id: 'metrics' }, h('h2', {}, 'Metrics'), this.chartsEl),
      h('section', { class: 'card', id: 'log' }, h('h2', {}, 'Log'), this.logEl),
    );
    this.logJob = frameJob(() => this.renderLog(), 100);
    this.summaryJob = frameJob(() => this.renderSummary(), 250);
    this.stopWaiting = onCapabilities(() => this.summaryJob.mark());
    this.renderCharts();
    this.renderSummary();
    this.logEl.scrollTop = this.logEl.scrollHeight;
    mark('trialDrawn');
  }

  onMetrics(points: ColumnarPoints): void {
    let newKey = false;
    for (let i = 0; i < points.step.length; i++) {
      if (points.trialId[i] !== this.trial.id) continue;
      const value = points.value[i] as number | null;
      if (value === null || !Number.isFinite(value)) continue; // non-finite values arrive as null
      const key = points.key[i]!;
      let s = this.series.get(key);
      if (!s) {
        s = new Series();
        this.series.set(key, s);
        newKey = true;
      }
      s.append(points.step[i]!, value);
    }
    if (newKey) this.renderCharts();
    for (const c of this.charts.values()) c.update();
  }

  onTrial(wire: TrialRowView): void {
    const t = decodeTrialRow(wire);
    if (t.attempts > this.trial.attempts) {
      // A new attempt starts its curves again (the server set the lost attempt's points aside).
      for (const s of this.series.values()) s.clear();
      for (const c of this.charts.values()) c.update();
    }
    this.trial = t;
    this.summaryJob.mark();
  }

  onLog(text: string): void {
    this.pendingLog += text;
    if (this.pendingLog.length > LOG_LIMIT) this.pendingLog = this.pendingLog.slice(-LOG_LIMIT);
    this.logJob.mark();
  }

  private renderLog(): void {
    const el = this.logEl;
    // Follow the tail only when the reader is at the bottom; reading further up is left alone.
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
    el.append(this.pendingLog);
    this.logChars += this.pendingLog.length;
    this.pendingLog = '';
    if (this.logChars > LOG_LIMIT * 1.5) {
      el.textContent = (el.textContent ?? '').slice(-LOG_LIMIT);
      this.logChars = LOG_LIMIT;
    }
    if (atBottom) el.scrollTop = el.scrollHeight;
  }

  private renderSummary(): void {
    const t = this.trial;
    clear(this.summaryEl);
    this.summaryEl.append(
      h('h1', {}, `Trial ${t.index} `, h('span', { class: `badge ${t.status}`, id: 'trial-status' }, t.status)),
      h(
        'p',
        { class: 'meta' },
        h('span', {}, 'sweep ', h('a', { href: sweepHref(t.sweepId), 'data-link': true }, t.sweepId)),
        h('span', {}, `best ${formatNumber(t.metricValue)}`),
        h('span', {}, `last ${formatNumber(t.lastValue)} at step ${formatNumber(t.lastStep)}`),
        h('span', {}, `duration ${formatDuration(trialDuration(t))}`),
        h('span', {}, `seed ${t.seed}`),
        h('span', {}, `attempts ${t.attempts}`),
        t.agentId ? h('span', {}, `agent ${t.agentId}`) : null,
        t.exitCode !== null ? h('span', {}, `exit ${t.exitCode}`) : null,
      ),
      ...(t.reason
        ? [
            h(
              'p',
              { class: 'stop-reason', id: 'trial-reason' },
              h('strong', {}, t.status === 'stopped' ? 'Stopped early: ' : 'Reason: '),
              t.reason,
            ),
          ]
        : []),
    );
    const may = maySubmit(this.project);
    this.stopBtn.disabled = !may || !(t.status === 'running' || t.status === 'queued');
    if (may) this.stopBtn.removeAttribute('title');
    else this.stopBtn.title = whyNot(this.project);
  }

  private renderCharts(): void {
    const keys = [...this.series.keys()].sort();
    for (const key of keys) {
      if (this.charts.has(key)) continue;
      const chart = new CurvesChart({ title: `${key} by step`, yLabel: key, height: 220, legend: false });
      chart.setCurves([{ id: key, label: key, series: this.series.get(key)! }]);
      this.charts.set(key, chart);
      this.chartsEl.append(h('div', { class: 'metric-chart' }, h('h3', {}, key), chart.el));
    }
    if (keys.length === 0 && !this.chartsEl.firstChild)
      this.chartsEl.append(h('p', { class: 'muted' }, 'No metrics yet.'));
    else this.chartsEl.querySelector(':scope > p.muted')?.remove();
  }

  private async stop(): Promise<void> {
    const t = this.trial;
    const ok = await confirmDialog({
      title: `Stop trial ${t.index}?`,
      body: 'The trial process gets SIGTERM (then SIGKILL after the grace period) and is marked stopped.',
      confirm: 'Stop trial',
      danger: true,
    });
    if (!ok) return;
    try {
      await apiPost(`/api/trials/${encodeURIComponent(t.id)}/stop`);
      toast('Stop requested');
    } catch (err) {
      // The fleet controller has no per-trial stop route yet (the embedded dashboard has): say so plainly.
      const noRoute = err instanceof ApiCallError && err.status === 404 && /no route/i.test(err.message);
      toast(
        noRoute ? 'This server cannot stop a single trial yet.' : `Stop failed: ${(err as Error).message}`,
        'error',
      );
    }
  }

  dispose(): void {
    for (const c of this.charts.values()) c.dispose();
    this.logJob.dispose();
    this.summaryJob.dispose();
    this.stopWaiting();
  }
}

function paramList(t: TrialRowView): HTMLElement {
  const entries = Object.entries(flatten(t.params));
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No parameters.');
  return h('dl', { class: 'kv' }, ...entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = formatParam(v as never);
  }
  return out;
}

interface LineageLike {
  identity?: string;
  code?: {
    commit?: string;
    branch?: string | null;
    remote?: string | null;
    subdir?: string;
    diff?: { hash: string; size: number; files: string[] } | null;
  } | null;
  data?: { path: string; md5: string; size?: number; source?: string }[];
  env?: {
    os?: string;
    node?: string;
    python?: string | null;
    image?: string | null;
    lockfiles?: Record<string, string>;
    gpus?: { name: string; driver: string }[];
  } | null;
  actor?: string | null;
  createdAt?: number;
}

function lineageCard(snap: TrialSnapshot): HTMLElement {
  const card = h('section', { class: 'card', id: 'lineage' }, h('h2', {}, 'Lineage'));
  const reproduce = h('code', { id: 'reproduce' }, snap.reproduceCommand);
  const copy = h(
    'button',
    { type: 'button', class: 'ghost small', 'aria-label': 'Copy the reproduce command' },
    'copy',
  );
  copy.addEventListener('click', () => {
    navigator.clipboard?.writeText(snap.reproduceCommand).then(
      () => toast('Copied'),
      () => toast('Copy failed: select the command instead', 'error'),
    );
  });
  card.append(h('div', { class: 'reproduce' }, h('span', { class: 'muted' }, 'Reproduce: '), reproduce, ' ', copy));
  if (snap.trial.command)
    card.append(h('p', { class: 'muted small' }, 'argv: ', h('code', {}, JSON.stringify(snap.trial.command))));
  const l = snap.lineage as LineageLike | null;
  if (!l || typeof l !== 'object') {
    card.append(h('p', { class: 'muted' }, 'No lineage was pinned for this trial.'));
    return card;
  }
  const rows: [string, string][] = [];
  if (l.code) {
    rows.push(['commit', l.code.commit ?? '']);
    if (l.code.branch) rows.push(['branch', l.code.branch]);
    if (l.code.remote) rows.push(['remote', l.code.remote]);
    rows.push([
      'diff',
      l.code.diff ? `${l.code.diff.hash} (${l.code.diff.size} B, ${l.code.diff.files.length} files)` : 'clean tree',
    ]);
  } else rows.push(['code', 'not pinned']);
  for (const d of l.data ?? []) rows.push([`data ${d.path}`, d.md5]);
  if (l.env) {
    if (l.env.os) rows.push(['os', l.env.os]);
    if (l.env.node) rows.push(['node', l.env.node]);
    if (l.env.python) rows.push(['python', l.env.python]);
    if (l.env.image) rows.push(['image', l.env.image]);
    for (const [f, hash] of Object.entries(l.env.lockfiles ?? {})) rows.push([f, hash]);
    for (const g of l.env.gpus ?? []) rows.push(['gpu', `${g.name} (driver ${g.driver})`]);
  }
  if (l.identity) rows.push(['identity', l.identity]);
  if (l.actor) rows.push(['launched by', l.actor]);
  card.append(
    h('dl', { class: 'kv lineage' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { class: 'hash' }, v)])),
  );
  return card;
}
