import { resolve } from 'node:path';
import { openPostgresStore } from './open-postgres-store';
import { openSqliteStore } from './open-sqlite-store';
import type { SqlTrackingStore } from './sql-tracking-store';
import { StoreError } from './store-error';

export interface OpenStoreOptions {
  /** Postgres only: schema for the tables (default 'public'). */
  schema?: string;
  /** Postgres only: pool size (default 10). */
  maxConnections?: number;
  /** Postgres only: connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** Postgres only: wait for the WAL flush on metric batches (default true; see PostgresStoreOptions). */
  synchronousMetricCommit?: boolean;
  /** SQLite only: how long a write waits for the lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** Where the embedded store lives by default, relative to the working directory. */
export const DEFAULT_SQLITE_PATH = '.hyperfleet/hyperfleet.db';

/** `sqlite:<abs path>` of the default embedded store under `cwd`. */
export function defaultStoreUrl(cwd: string = process.cwd()): string {
  return `sqlite:${resolve(cwd, DEFAULT_SQLITE_PATH)}`;
}

export type StoreTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; connectionString: string; schema?: string };

/**
 * Reads a store URL: `postgres://…` / `postgresql://…`, `sqlite:/path/to.db`, `sqlite:///abs/path`,
 * `sqlite::memory:`, `:memory:`, or a bare file path.
 */
export function parseStoreUrl(url: string): StoreTarget {
  const u = url.trim();
  if (u === '') throw new StoreError('STORE_BAD_URL', 'empty store URL: pass --store <path or postgres://…>');
  if (/^postgres(ql)?:\/\//i.test(u)) {
    // `?schema=name` (as Prisma spells it) selects the schema; it is ours, not a server setting, so strip it.
    const parsed = new URL(u);
    const schema = parsed.searchParams.get('schema');
    if (schema === null) return { kind: 'postgres', connectionString: u };
    parsed.searchParams.delete('schema');
    return { kind: 'postgres', connectionString: parsed.toString(), schema };
  }
  if (/^sqlite:/i.test(u)) {
    let path = u.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // sqlite:///abs → /abs
    if (path === '') throw new StoreError('STORE_BAD_URL', `no file path in store URL ${JSON.stringify(url)}`);
    return { kind: 'sqlite', path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    throw new StoreError(
      'STORE_BAD_URL',
      `unsupported store URL scheme in ${JSON.stringify(u.replace(/\/\/[^@/]*@/, '//***@'))}: use postgres://…, sqlite:<path> or a file path`,
    );
  }
  return { kind: 'sqlite', path: u };
}

/** Opens the store a URL names (see `parseStoreUrl`) and brings its schema up to date. */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<SqlTrackingStore> {
  const target = parseStoreUrl(url);
  if (target.kind === 'sqlite') {
    return openSqliteStore(target.path, opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.busyTimeoutMs });
  }
  return openPostgresStore({
    connectionString: target.connectionString,
    ...((opts.schema ?? target.schema) === undefined ? {} : { schema: opts.schema ?? target.schema }),
    ...(opts.maxConnections === undefined ? {} : { maxConnections: opts.maxConnections }),
    ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: opts.connectTimeoutMs }),
    ...(opts.synchronousMetricCommit === undefined ? {} : { synchronousMetricCommit: opts.synchronousMetricCommit }),
  });
}
