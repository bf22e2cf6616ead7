import { resolve } from 'node:path';

export const DEFAULT_HOME = '.hyperfleet';

/** The tracking store URL: --store, else $HYPERFLEET_STORE, else SQLite under ./.hyperfleet/. */
export function resolveStoreUrl(flag: string | undefined, cwd = process.cwd()): string {
  const url = flag ?? process.env.HYPERFLEET_STORE;
  if (url) return url;
  return `sqlite:${resolve(cwd, DEFAULT_HOME, 'hyperfleet.db')}`;
}

/** Directory for per-trial files (logs, metrics, outputs): beside a SQLite store, else ./.hyperfleet/runs. */
export function resolveRunsDir(storeUrl: string, cwd = process.cwd()): string {
  const sqlitePath = storeUrl.startsWith('sqlite:') ? storeUrl.slice('sqlite:'.length) : null;
  if (sqlitePath && sqlitePath !== ':memory:') return resolve(sqlitePath, '..', 'runs');
  return resolve(cwd, DEFAULT_HOME, 'runs');
}
