import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import type { StoreDatabase } from './db-schema';
import { migrateToLatest } from './migrations';
import { sqliteSeriesReader } from './series-readers';
import { SqlTrackingStore } from './sql-tracking-store';
import { SqliteMetricWriter } from './sqlite-metric-writer';
import type { ConstraintKind, StoreBackend } from './store-backend';
import { StoreError } from './store-error';

export interface SqliteStoreOptions {
  /** How long a write waits for another process holding the lock (ms). Default 5000. */
  busyTimeoutMs?: number;
}

/** Opens (creating if needed) the SQLite store at `path` — a file path or ':memory:' — and migrates it. */
export async function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<SqlTrackingStore> {
  const memory = path === ':memory:';
  const file = memory ? path : resolve(path);
  let db: Database.Database;
  try {
    if (!memory) mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw openError(file, err);
  }
  const kysely = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: db }) });
  try {
    // WAL: readers never block the writer (the dashboard reads while trials write);
    // synchronous=NORMAL is durable across app crashes in WAL mode and much faster than FULL.
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    await migrateToLatest(kysely, 'sqlite');
  } catch (err) {
    await kysely.destroy().catch(() => {});
    throw openError(file, err);
  }
  const writer = new SqliteMetricWriter(db);
  const readSeries = sqliteSeriesReader(db);
  const backend: StoreBackend = {
    kind: 'sqlite',
    db: kysely,
    jsonParsed: false,
    writeMetrics: async (batches) => writer.write(batches),
    readSeries: async (trialId, key) => readSeries(trialId, key),
    atomically: async (queries: readonly CompiledQuery[]) => {
      // Synchronous on purpose (see SqliteMetricWriter): nothing can interleave inside the transaction.
      db.transaction(() => {
        for (const q of queries) db.prepare(q.sql).run(q.parameters as unknown[]);
      }).immediate();
    },
    constraintOf: sqliteConstraint,
    destroy: async () => {
      await kysely.destroy(); // closes the better-sqlite3 handle (checkpoints the WAL)
    },
  };
  return new SqlTrackingStore(backend, memory ? 'sqlite::memory:' : `sqlite:${file}`);
}

function sqliteConstraint(err: unknown): ConstraintKind | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return 'conflict';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'missing-parent';
  return null;
}

const UNWRITABLE =
  /^(EACCES|EPERM|EROFS|ENOTDIR|EISDIR|EEXIST|SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_PERM|SQLITE_IOERR)/;

/** Turns "cannot create/open/write the file" failures into STORE_UNWRITABLE with the path and the fix. */
function openError(file: string, err: unknown): Error {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = String((e as { code?: unknown }).code ?? '');
    const dirMissing = e.message.includes('directory does not exist');
    if (UNWRITABLE.test(code) || dirMissing) {
      return new StoreError(
        'STORE_UNWRITABLE',
        `cannot write the tracking store at ${file} (${code && !e.message.startsWith(code) ? `${code}: ` : ''}${e.message}). ` +
          'Pass --store <path> (or set HYPERFLEET_STORE) to a writable location, or fix the permissions.',
        { cause: err },
      );
    }
    if (code === 'SQLITE_NOTADB') {
      return new StoreError(
        'STORE_INVALID',
        `${file} is not a SQLite database. Pass --store <path> to point at a hyperfleet store.`,
        { cause: err },
      );
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}
