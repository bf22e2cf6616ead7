import { authHeaders } from './connection';

/** Roles on a project, each including the ones before it (as the server ranks them). */
const RANKS = ['read', 'submit', 'promote', 'admin'];

interface Me {
  name: string;
  projects: Record<string, string>;
}

let me: Me | null = null;
const waiting = new Set<() => void>();

/**
 * What the token may do, from `GET /api/me`: the pages disable the controls it may not use (a read-only token
 * sees Pause/Stop/Cancel disabled, with why), instead of learning it from a 403 toast. Asked once per page load.
 */
export async function loadCapabilities(): Promise<void> {
  try {
    const res = await fetch('/api/me', { headers: authHeaders() });
    if (!res.ok) return;
    me = (await res.json()) as Me;
  } catch {
    return; // The socket says what is wrong with the connection; the buttons stay disabled.
  }
  for (const cb of waiting) cb();
}

/** Calls `cb` when the capabilities arrive (now, if they already have); returns the unsubscribe. */
export function onCapabilities(cb: () => void): () => void {
  waiting.add(cb);
  if (me) cb();
  return () => waiting.delete(cb);
}

/** Whether the token may pause, stop, cancel (submit or higher on `project`); false until known. */
export function maySubmit(project: string): boolean {
  if (!me) return false;
  const rank = (r: string | undefined) => (r === undefined ? -1 : RANKS.indexOf(r));
  return Math.max(rank(me.projects[project]), rank(me.projects['*'])) >= RANKS.indexOf('submit');
}

/** The tooltip of a control the token may not use. */
export function whyNot(project: string): string {
  return me ? `your token (${me.name}) may only read project ${project}` : 'checking what your token may do…';
}
