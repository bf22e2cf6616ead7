/** History-API routing over three pages; links marked data-link navigate without a reload. */
export type Route =
  | { page: 'sweeps' }
  | { page: 'sweep'; sweepId: string }
  | { page: 'trial'; trialId: string }
  | { page: 'not-found'; path: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'sweeps' };
  if (parts.length === 2 && parts[0] === 'sweeps') return { page: 'sweep', sweepId: parts[1]! };
  if (parts.length === 2 && parts[0] === 'trials') return { page: 'trial', trialId: parts[1]! };
  return { page: 'not-found', path: pathname };
}

export const sweepHref = (id: string) => `/sweeps/${encodeURIComponent(id)}`;
export const trialHref = (id: string) => `/trials/${encodeURIComponent(id)}`;

let onChange: (() => void) | null = null;

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  onChange?.();
}

export function startRouter(render: () => void): void {
  onChange = render;
  addEventListener('popstate', render);
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a[data-link]') as HTMLAnchorElement | null;
    if (!a || a.origin !== location.origin) return;
    e.preventDefault();
    navigate(a.pathname + a.search);
  });
  render();
}
