import type { SweepSummaryView, TrialStatus } from '@hyperfleet/domain';
import { type DashSocket, listen, request } from '../connection';
import { formatNumber } from '../data/params';
import { mark } from '../probe';
import { sweepHref, trialHref } from '../router';
import { clear, h } from '../ui/dom';
import { formatAge } from '../ui/format';
import { frameJob } from '../ui/frame';

const DONE: TrialStatus[] = ['succeeded', 'failed', 'stopped', 'cancelled'];

export function progressOf(s: SweepSummaryView): { done: number; running: number; total: number | null } {
  let done = 0;
  for (const st of DONE) done += s.counts[st] ?? 0;
  return { done, running: s.counts.running ?? 0, total: s.total };
}

/** `/`: every sweep with its state, progress, best value and age; live through the `sweeps` room. */
export function sweepsPage(main: HTMLElement, socket: DashSocket): () => void {
  document.title = 'sweeps · hyperfleet';
  setCrumbs([]);
  const sweeps = new Map<string, SweepSummaryView>();
  const body = h('tbody');
  const empty = h(
    'p',
    { class: 'muted', hidden: true },
    'No sweeps yet. Start one with ',
    h('code', {}, 'hyperfleet run sweep.yaml --dashboard'),
    '.',
  );
  const status = h('p', { class: 'muted' }, 'Loading…');
  main.append(
    h(
      'section',
      { class: 'card' },
      h('h1', {}, 'Sweeps'),
      status,
      empty,
      h(
        'table',
        { class: 'grid sweeps' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Sweep', 'Project', 'State', 'Method', 'Metric', 'Progress', 'Best', 'Age'].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        body,
      ),
    ),
  );

  const render = frameJob(() => {
    clear(body);
    const list = [...sweeps.values()].sort((a, b) => b.createdAt - a.createdAt);
    empty.hidden = list.length > 0;
    for (const s of list) {
      const p = progressOf(s);
      const total = p.total ?? Math.max(p.done + p.running + (s.counts.queued ?? 0), 1);
      body.append(
        h(
          'tr',
          { 'data-sweep': s.id },
          h(
            'td',
            {},
            h('a', { href: sweepHref(s.id), 'data-link': true }, s.name ?? s.id),
            s.name ? h('span', { class: 'muted id' }, ` ${s.id}`) : null,
          ),
          h('td', { class: 'project' }, s.project),
          h(
            'td',
            {},
            h('span', { class: `badge ${s.status}` }, s.status),
            s.reason ? h('span', { class: 'muted' }, ` ${s.reason}`) : null,
          ),
          h('td', {}, s.method),
          h('td', {}, s.metricName ? `${s.metricName} (${s.goal === 'maximize' ? 'max' : 'min'})` : ''),
          h(
            'td',
            {},
            h('progress', { max: total, value: p.done, 'aria-label': `${p.done} of ${p.total ?? '?'} trials done` }),
            ` ${p.done}/${p.total ?? '?'}`,
            p.running ? h('span', { class: 'muted' }, ` (${p.running} running)`) : null,
          ),
          h(
            'td',
            { class: 'num' },
            s.best
              ? h(
                  'a',
                  { href: trialHref(s.best.trialId), 'data-link': true, title: `trial ${s.best.trialId}` },
                  formatNumber(s.best.value),
                )
              : '',
          ),
          h('td', { title: new Date(s.createdAt).toISOString() }, formatAge(s.createdAt)),
        ),
      );
    }
    mark('sweepsDrawn');
  }, 250);

  const onUpdate = (s: SweepSummaryView) => {
    sweeps.set(s.id, s);
    render.mark();
  };
  const load = () => {
    request(socket, 'sweeps:watch')
      .then((list) => {
        status.hidden = true;
        sweeps.clear();
        for (const s of list) sweeps.set(s.id, s);
        render.mark();
      })
      .catch((err: Error) => {
        status.hidden = false;
        status.textContent = `Could not load the sweeps: ${err.message}`;
      });
  };
  const unlisten = listen(socket, { 'sweeps:update': onUpdate, connect: load });
  const ageTimer = setInterval(() => render.mark(), 15_000);
  return () => {
    unlisten();
    clearInterval(ageTimer);
    render.dispose();
  };
}

export function setCrumbs(items: { label: string; href?: string }[]): void {
  const nav = document.getElementById('crumbs');
  if (!nav) return;
  clear(nav);
  for (const it of items) {
    nav.append(
      h('span', { class: 'sep' }, '/'),
      it.href
        ? h('a', { href: it.href, 'data-link': true }, it.label)
        : h('span', { 'aria-current': 'page' }, it.label),
    );
  }
}
