import { type CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { StoreDatabase } from './db-schema';
import { migrateToLatest } from './migrations';
import { savePostgresBatch } from './postgres-batch-writer';
import { PostgresMetricWriter } from './postgres-metric-writer';
import { readPostgresSeries } from './series-readers';
import { SqlTrackingStore } from './sql-tracking-store';
import type { ConstraintKind, StoreBackend } from './store-backend';
import { connectionFailure, StoreError } from './store-error';

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema holding the tables (created if missing). Default 'public'. Tests use a fresh one per run. */
  schema?: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /** Give up connecting after this long (ms). Default 5000. */
  connectTimeoutMs?: number;
  /** close() waits at most this long for in-flight queries (ms). Default 5000. */
  closeTimeoutMs?: number;
  /**
   * Wait for the WAL flush when committing metric batches. Default true. false: metric transactions
   * use `synchronous_commit = off` (that transaction only), which saves an fsync per batch (~10% of a
   * 1,000-point write on the bench box). They stay atomic, never half-written; but a crash of the
   * Postgres server can lose the last ~0.6 s of acknowledged metric batches (the durability SQLite's
   * WAL + synchronous=NORMAL gives the embedded store). Everything else always commits synchronously.
   */
  synchronousMetricCommit?: boolean;
}

const INT8_OID = 20;

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<SqlTrackingStore> {
  const schema = opts.schema ?? 'public';
  const where = describePostgresUrl(opts.connectionString);
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new StoreError(
      'STORE_BAD_URL',
      `invalid Postgres schema name ${JSON.stringify(schema)} (letters, digits, _)`,
    );
  }
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.maxConnections ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    application_name: 'hyperfleet',
    // search_path in the startup packet: every pooled connection gets it, with no extra round trip
    // and no window where a fresh connection could run a query against the wrong schema.
    options: `-c search_path=${schema}`,
    types: {
      // bigint columns hold ms timestamps, steps and counts: all well inside 2^53, so numbers, not strings.
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor one dropped while checked out (the pool listens only to idle ones): its query rejects, and the pool
  // discards it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const kysely = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  const closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
  const destroy = () => withTimeout(kysely.destroy(), closeTimeoutMs);
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).catch((err: unknown) => {
      // Two openers racing on the same new schema: the loser sees a duplicate, which is fine.
      if ((err as { code?: string }).code !== '23505' && (err as { code?: string }).code !== '42P06') throw err;
    });
    await migrateToLatest(kysely, 'postgres', schema);
  } catch (err) {
    await destroy().catch(() => {});
    throw connectError(where, err);
  }
  const writer = new PostgresMetricWriter(pool, opts.synchronousMetricCommit ?? true);
  const backend: StoreBackend = {
    kind: 'postgres',
    db: kysely,
    jsonParsed: true,
    writeMetrics: (batches) => writer.write(batches),
    readSeries: (trialId, key) => readPostgresSeries(pool, trialId, key),
    saveBatch: (rows) => savePostgresBatch(pool, rows),
    atomically: async (queries: readonly CompiledQuery[]) => {
      await kysely.transaction().execute(async (trx) => {
        for (const q of queries) await trx.executeQuery(q);
      });
    },
    constraintOf: postgresConstraint,
    destroy,
  };
  return new SqlTrackingStore(backend, schema === 'public' ? where : `${where} (schema ${schema})`);
}

/** `postgres://user@host:port/db` — never the password, for messages and logs. */
export function describePostgresUrl(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `postgres://${user}${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'postgres (unparseable connection string)';
  }
}

function postgresConstraint(err: unknown): ConstraintKind | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '23505') return 'conflict';
  if (code === '23503') return 'missing-parent';
  return null;
}

function connectError(where: string, err: unknown): Error {
  const cause = connectionFailure(err);
  if (cause) {
    // AggregateError (IPv4 + IPv6 both refused) has an empty message
    const detail = cause.message || String((cause as { code?: unknown }).code ?? '');
    return new StoreError(
      'STORE_UNREACHABLE',
      `cannot reach the Postgres store at ${where}: ${detail}. ` +
        'Is the server running and the URL right? Pass --store <url> or set HYPERFLEET_STORE.',
      { cause: err },
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Resolves when `p` settles or after `ms`, whichever is first: close() must not hang on a stuck query. */
async function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
