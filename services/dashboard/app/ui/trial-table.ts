import type { TrialRowView, TrialStatus } from '@hyperfleet/domain';
import { formatNumber, formatParam, paramAt } from '../data/params';
import type { SweepModel } from '../data/sweep-model';
import { mark } from '../probe';
import { navigate, trialHref } from '../router';
import { clear, h, setText } from './dom';
import { formatDuration, trialDuration } from './format';
import { frameJob } from './frame';

function spacerRow(): HTMLTableRowElement {
  const tr = h('tr', { class: 'spacer', 'aria-hidden': 'true' }, h('td', { colspan: 100 }));
  return tr;
}

export type SortKey =
  | 'rank'
  | 'index'
  | 'status'
  | 'best'
  | 'last'
  | 'step'
  | 'duration'
  | 'agent'
  | 'reason'
  | `param:${string}`;

interface Column {
  key: SortKey;
  label: string;
  cls?: string;
  cell: (t: TrialRowView, rank: number | null) => string;
  sortValue: (t: TrialRowView, rank: number | null) => number | string | null;
}

const ROW_H = 30;
const OVERSCAN = 8;

/**
 * The ranked trial table. Only the rows in view are in the DOM (a 1,000-trial sweep keeps ~35 <tr>), the
 * ranking is recomputed at most every 300 ms, and rows are focusable: ↑/↓/Home/End move, Enter opens the trial.
 */
export class TrialTable {
  readonly el: HTMLElement;
  private readonly scroller: HTMLDivElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly thead: HTMLTableSectionElement;
  private readonly count: HTMLElement;
  private columns: Column[] = [];
  private rows: { t: TrialRowView; rank: number | null }[] = [];
  private sortKey: SortKey = 'rank';
  private sortDir: 1 | -1 = 1;
  private stateFilter: TrialStatus | 'all' = 'all';
  private focusedId: string | null = null;
  private lastVersion = -1;
  private readonly job;
  private readonly rowEls = new Map<string, HTMLTableRowElement>();
  private readonly topSpacer = spacerRow();
  private readonly bottomSpacer = spacerRow();
  private readonly tick = setInterval(() => this.refresh(), 1000);

  constructor(
    private readonly model: SweepModel,
    opts: { sort?: string | null; dir?: string | null; state?: string | null },
    private readonly onStateChange: () => void = () => {},
    private readonly onHover: (trialId: string | null) => void = () => {},
  ) {
    if (opts.sort) this.sortKey = opts.sort as SortKey;
    if (opts.dir === 'desc') this.sortDir = -1;
    if (opts.state) this.stateFilter = opts.state as TrialStatus;
    this.thead = h('thead');
    this.tbody = h('tbody');
    this.count = h('span', { class: 'muted', 'aria-live': 'polite' });
    const filter = h(
      'select',
      { id: 'state-filter', 'aria-label': 'Filter trials by state' },
      ...['all', 'running', 'queued', 'succeeded', 'stopped', 'failed', 'cancelled'].map((s) =>
        h('option', { value: s, selected: s === this.stateFilter }, s === 'all' ? 'all states' : s),
      ),
    );
    filter.addEventListener('change', () => {
      this.stateFilter = filter.value as TrialStatus | 'all';
      this.onStateChange();
      this.refresh(true);
    });
    this.scroller = h(
      'div',
      { class: 'table-scroll', role: 'region', 'aria-label': 'Ranked trials', tabindex: -1 },
      h('table', { class: 'grid trials' }, this.thead, this.tbody),
    );
    this.scroller.addEventListener('scroll', () => this.job.mark(), { passive: true });
    this.tbody.addEventListener('keydown', (e) => this.onKey(e));
    this.tbody.addEventListener('click', (e) => {
      const tr = (e.target as Element).closest('tr[data-trial]');
      if (tr && !(e.target as Element).closest('a')) navigate(trialHref(tr.getAttribute('data-trial')!));
    });
    this.tbody.addEventListener('focusin', (e) => {
      const tr = (e.target as Element).closest('tr[data-trial]');
      if (tr) {
        this.focusedId = tr.getAttribute('data-trial');
        this.onHover(this.focusedId);
      }
    });
    this.tbody.addEventListener('mouseover', (e) => {
      const tr = (e.target as Element).closest('tr[data-trial]');
      this.onHover(tr ? tr.getAttribute('data-trial') : null);
    });
    this.tbody.addEventListener('mouseleave', () => this.onHover(null));
    this.el = h(
      'div',
      { class: 'trial-table' },
      h('div', { class: 'toolbar' }, h('label', {}, 'Show ', filter), this.count),
      this.scroller,
    );
    this.buildColumns();
    this.job = frameJob(() => this.draw(), 300);
    this.refresh(true);
  }

  get query(): Record<string, string> {
    const q: Record<string, string> = {};
    if (this.sortKey !== 'rank') q.sort = this.sortKey;
    if (this.sortDir === -1) q.dir = 'desc';
    if (this.stateFilter !== 'all') q.state = this.stateFilter;
    return q;
  }

  private buildColumns(): void {
    const m = this.model;
    const metric = m.metricName ?? 'metric';
    const cols: Column[] = [
      { key: 'rank', label: '#', cls: 'num', cell: (_t, r) => (r === null ? '' : String(r)), sortValue: (_t, r) => r },
      { key: 'index', label: 'Trial', cell: (t) => String(t.index), sortValue: (t) => t.index },
      { key: 'status', label: 'State', cell: (t) => t.status, sortValue: (t) => t.status },
      ...m.paramNames.map<Column>((p) => ({
        key: `param:${p}`,
        label: p,
        cls: 'num',
        cell: (t) => formatParam(paramAt(t.params, p)),
        sortValue: (t) => {
          const v = paramAt(t.params, p);
          return typeof v === 'number' || typeof v === 'string' ? v : v === undefined ? null : JSON.stringify(v);
        },
      })),
      {
        key: 'best',
        label: `best ${metric}`,
        cls: 'num',
        cell: (t) => formatNumber(t.metricValue),
        sortValue: (t) => t.metricValue,
      },
      {
        key: 'last',
        label: `last ${metric}`,
        cls: 'num',
        cell: (t) => formatNumber(t.lastValue),
        sortValue: (t) => t.lastValue,
      },
      { key: 'step', label: 'step', cls: 'num', cell: (t) => formatNumber(t.lastStep), sortValue: (t) => t.lastStep },
      {
        key: 'duration',
        label: 'Duration',
        cls: 'num',
        cell: (t) => formatDuration(trialDuration(t)),
        sortValue: (t) => trialDuration(t),
      },
      { key: 'agent', label: 'Agent', cell: (t) => t.agentId ?? '', sortValue: (t) => t.agentId },
      { key: 'reason', label: 'Stop reason', cls: 'reason', cell: (t) => t.reason ?? '', sortValue: (t) => t.reason },
    ];
    this.columns = cols;
    clear(this.thead);
    this.thead.append(
      h(
        'tr',
        {},
        ...cols.map((c) => {
          const btn = h('button', { type: 'button', class: 'sort', 'data-sort': c.key }, c.label);
          btn.addEventListener('click', () => {
            if (this.sortKey === c.key) this.sortDir = this.sortDir === 1 ? -1 : 1;
            else {
              this.sortKey = c.key;
              this.sortDir = 1;
            }
            this.onStateChange();
            this.updateSortMarks();
            this.refresh(true);
          });
          return h('th', { scope: 'col', class: c.cls, 'data-col': c.key }, btn);
        }),
      ),
    );
    this.updateSortMarks();
  }

  private updateSortMarks(): void {
    for (const th of this.thead.querySelectorAll('th')) {
      const key = th.getAttribute('data-col');
      if (key === this.sortKey) th.setAttribute('aria-sort', this.sortDir === 1 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
  }

  /** Marks the table for a redraw when the model's rows changed (or `force`). */
  refresh(force = false): void {
    if (force) this.lastVersion = -1;
    this.job.mark();
  }

  private recompute(): void {
    const ranking = this.model.ranking();
    let rows = ranking.map((t, i) => ({ t, rank: t.metricValue === null ? null : i + 1 }));
    if (this.stateFilter !== 'all') rows = rows.filter((r) => r.t.status === this.stateFilter);
    if (this.sortKey !== 'rank' || this.sortDir !== 1) {
      const col = this.columns.find((c) => c.key === this.sortKey) ?? this.columns[0]!;
      const dir = this.sortDir;
      const keyed = rows.map((r) => ({ r, v: col.sortValue(r.t, r.rank) }));
      keyed.sort((a, b) => {
        // Empty values sort last in both directions.
        if (a.v === null || a.v === undefined) return b.v === null || b.v === undefined ? a.r.t.index - b.r.t.index : 1;
        if (b.v === null || b.v === undefined) return -1;
        if (a.v < b.v) return -dir;
        if (a.v > b.v) return dir;
        return a.r.t.index - b.r.t.index;
      });
      rows = keyed.map((k) => k.r);
    }
    this.rows = rows;
  }

  private draw(): void {
    if (this.lastVersion !== this.model.rowsVersion || this.sortKey === 'duration') {
      this.recompute();
      this.lastVersion = this.model.rowsVersion;
    }
    const total = this.rows.length;
    setText(this.count, `${total} trial${total === 1 ? '' : 's'}`);
    // Before layout settles the scroller holds only its header: assume the full height (CSS max-height: 520px).
    const viewH = Math.max(this.scroller.clientHeight, 520);
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(total, Math.ceil((this.scroller.scrollTop + viewH) / ROW_H) + OVERSCAN);
    const hadFocus = this.tbody.contains(document.activeElement);
    // Rows are kept per trial and updated in place: a click whose mousedown and mouseup straddle a redraw
    // still lands on the same element, and unchanged cells cost nothing.
    const wanted: HTMLTableRowElement[] = [];
    this.topSpacer.style.height = `${first * ROW_H}px`;
    if (first > 0) wanted.push(this.topSpacer);
    const keep = new Set<string>();
    for (let i = first; i < last; i++) {
      const { t, rank } = this.rows[i]!;
      let tr = this.rowEls.get(t.id);
      if (!tr) {
        tr = this.createRow(t.id);
        this.rowEls.set(t.id, tr);
      }
      this.fillRow(tr, t, rank, i);
      keep.add(t.id);
      wanted.push(tr);
    }
    this.bottomSpacer.style.height = `${(total - last) * ROW_H}px`;
    if (last < total) wanted.push(this.bottomSpacer);
    for (const [id, tr] of this.rowEls) {
      if (!keep.has(id)) {
        tr.remove();
        this.rowEls.delete(id);
      }
    }
    for (const spacer of [this.topSpacer, this.bottomSpacer]) if (!wanted.includes(spacer)) spacer.remove();
    // Reorder with the fewest moves: walk the wanted order against what is there.
    let at: ChildNode | null = this.tbody.firstChild;
    for (const tr of wanted) {
      if (at === tr) at = at.nextSibling;
      else this.tbody.insertBefore(tr, at);
    }
    if (hadFocus && this.focusedId) {
      (this.tbody.querySelector(`tr[data-trial="${CSS.escape(this.focusedId)}"]`) as HTMLElement | null)?.focus({
        preventScroll: true,
      });
    }
    if (total > 0) mark('tableDrawn');
  }

  private createRow(id: string): HTMLTableRowElement {
    const tr = h('tr', { 'data-trial': id, tabindex: 0 });
    for (const c of this.columns) {
      const td = document.createElement('td');
      if (c.cls) td.className = c.cls;
      if (c.key === 'index') td.append(h('a', { href: trialHref(id), 'data-link': true, tabindex: -1 }));
      else if (c.key === 'status') td.append(h('span', { class: 'badge' }));
      tr.append(td);
    }
    return tr;
  }

  private fillRow(tr: HTMLTableRowElement, t: TrialRowView, rank: number | null, i: number): void {
    if (tr.getAttribute('data-status') !== t.status) tr.setAttribute('data-status', t.status);
    tr.setAttribute('aria-rowindex', String(i + 2));
    tr.classList.toggle('focused', t.id === this.focusedId);
    this.columns.forEach((c, j) => {
      const td = tr.cells[j]!;
      if (c.key === 'index') setText(td.firstElementChild!, String(t.index));
      else if (c.key === 'status') {
        const badge = td.firstElementChild!;
        setText(badge, t.status);
        badge.className = `badge ${t.status}`;
      } else {
        const text = c.cell(t, rank);
        setText(td, text);
        if (c.key === 'reason') td.title = text;
      }
    });
  }

  private onKey(e: KeyboardEvent): void {
    const tr = (e.target as Element).closest('tr[data-trial]') as HTMLElement | null;
    if (!tr) return;
    const id = tr.getAttribute('data-trial')!;
    if (e.key === 'Enter') {
      navigate(trialHref(id));
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const i = this.rows.findIndex((r) => r.t.id === id);
    const next =
      e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : e.key === 'Home' ? 0 : this.rows.length - 1;
    const target = this.rows[Math.max(0, Math.min(this.rows.length - 1, next))];
    if (!target) return;
    this.focusedId = target.t.id;
    const idx = this.rows.indexOf(target);
    const top = idx * ROW_H;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_H > this.scroller.scrollTop + this.scroller.clientHeight - ROW_H)
      this.scroller.scrollTop = top + 2 * ROW_H - this.scroller.clientHeight;
    const el = this.tbody.querySelector(`tr[data-trial="${CSS.escape(target.t.id)}"]`) as HTMLElement | null;
    if (el) el.focus();
    else this.draw();
  }

  dispose(): void {
    clearInterval(this.tick);
    this.job.dispose();
  }
}
