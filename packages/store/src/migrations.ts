import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { lineageMigration } from './migration-lineage';
import { projectsMigration } from './migration-projects';
import type { SqlKind } from './sql-kind';
import { StoreError } from './store-error';

/** Column types that differ between the backends; everything else is portable SQL. */
function types(kind: SqlKind) {
  return kind === 'postgres'
    ? ({ bigint: 'bigint', float: 'double precision', json: 'jsonb' } as const)
    : ({ bigint: 'integer', float: 'real', json: 'text' } as const);
}

/**
 * The schema, as numbered migrations. Append new ones; never edit a released one.
 * Kept in code (not files) so the store works from any install layout with no file lookups.
 */
function migrationsFor(kind: SqlKind): Record<string, Migration> {
  const t = types(kind);
  return {
    '0001_initial': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('sweeps')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('metric_name', 'text')
          .addColumn('goal', 'text', (c) => c.notNull())
          .addColumn('config', t.json, (c) => c.notNull())
          .addColumn('seed', t.bigint, (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('finished_at', t.bigint)
          .addColumn('reason', 'text')
          .execute();
        await db.schema.createIndex('sweeps_by_created').on('sweeps').columns(['created_at', 'id']).execute();

        await db.schema
          .createTable('trials')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('sweep_id', 'text', (c) => c.notNull().references('sweeps.id').onDelete('cascade'))
          .addColumn('idx', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('params', t.json, (c) => c.notNull())
          .addColumn('seed', t.bigint, (c) => c.notNull())
          .addColumn('command', t.json)
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('started_at', t.bigint)
          .addColumn('ended_at', t.bigint)
          .addColumn('exit_code', 'integer')
          .addColumn('signal', 'text')
          .addColumn('reason', 'text')
          // SQLite: REAL, or the text 'NaN' (see value-codec.ts).
          .addColumn('metric_value', t.float)
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint('trials_sweep_idx', ['sweep_id', 'idx'])
          .execute();
        // The unique (sweep_id, idx) constraint already serves "trials of a sweep in order".
        await db.schema.createIndex('trials_rank').on('trials').columns(['sweep_id', 'metric_value']).execute();
        await db.schema.createIndex('trials_status').on('trials').columns(['sweep_id', 'status']).execute();

        await db.schema
          .createTable('attempts')
          .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id').onDelete('cascade'))
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('worker', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('started_at', t.bigint, (c) => c.notNull())
          .addColumn('ended_at', t.bigint)
          .addColumn('exit_code', 'integer')
          .addColumn('signal', 'text')
          .addColumn('reason', 'text')
          .addPrimaryKeyConstraint('attempts_pk', ['trial_id', 'attempt'])
          .execute();

        // The hot table. The primary key is also the history index (trial, key, step); on SQLite the
        // table is clustered on it (WITHOUT ROWID), so a curve read is one contiguous range scan.
        let points = db.schema
          .createTable('metric_points')
          .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id').onDelete('cascade'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('step', t.bigint, (c) => c.notNull())
          .addColumn('value', t.float)
          .addColumn('ts', t.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('metric_points_pk', ['trial_id', 'key', 'step']);
        if (kind === 'sqlite') points = points.modifyEnd(sql`without rowid`);
        await points.execute();

        await db.schema
          .createTable('metric_summaries')
          .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id').onDelete('cascade'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('last', t.float)
          .addColumn('last_step', t.bigint, (c) => c.notNull())
          .addColumn('min', t.float)
          .addColumn('min_step', t.bigint, (c) => c.notNull())
          .addColumn('max', t.float)
          .addColumn('max_step', t.bigint, (c) => c.notNull())
          .addColumn('count', t.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('metric_summaries_pk', ['trial_id', 'key'])
          .execute();

        await db.schema
          .createTable('artifacts')
          .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('size', t.bigint, (c) => c.notNull())
          .addColumn('uri', 'text', (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('artifacts_pk', ['trial_id', 'name'])
          .execute();

        // No foreign keys: the audit log must accept (and outlive) events about anything.
        await db.schema
          .createTable('events')
          .addColumn('id', kind === 'postgres' ? 'bigserial' : 'integer', (c) =>
            kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', t.bigint, (c) => c.notNull())
          .addColumn('sweep_id', 'text')
          .addColumn('trial_id', 'text')
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('actor', 'text')
          .addColumn('data', t.json)
          .execute();
        await db.schema.createIndex('events_by_sweep').on('events').columns(['sweep_id', 'id']).execute();
        await db.schema.createIndex('events_by_trial').on('events').columns(['trial_id', 'id']).execute();

        // Append-only, enforced by the database so no future code path can rewrite history.
        if (kind === 'postgres') {
          await sql`create function events_append_only() returns trigger language plpgsql as $$
            begin raise exception 'events are append-only'; end $$`.execute(db);
          await sql`create trigger events_append_only before update or delete on events
            for each row execute function events_append_only()`.execute(db);
        } else {
          await sql`create trigger events_no_update before update on events
            begin select raise(abort, 'events are append-only'); end`.execute(db);
          await sql`create trigger events_no_delete before delete on events
            begin select raise(abort, 'events are append-only'); end`.execute(db);
        }
      },
    },
    '0002_fleet': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // Points of attempts lost to infrastructure: kept (and marked by attempt) when the trial re-runs.
        let archived = db.schema
          .createTable('archived_metric_points')
          .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id').onDelete('cascade'))
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('step', t.bigint, (c) => c.notNull())
          .addColumn('value', t.float)
          .addColumn('ts', t.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('archived_metric_points_pk', ['trial_id', 'attempt', 'key', 'step']);
        if (kind === 'sqlite') archived = archived.modifyEnd(sql`without rowid`);
        await archived.execute();
      },
    },
    '0003_lineage': lineageMigration(kind),
    '0004_dropped_points': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // Metric points the ingest dropped, per reason ({"step_negative": 3}); null = none.
        await db.schema.alterTable('trials').addColumn('dropped_points', t.json).execute();
      },
    },
    '0005_projects': projectsMigration(kind),
    '0006_server_secrets': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('server_secrets')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .execute();
      },
    },
  };
}

export const MIGRATION_TABLE = 'hyperfleet_migration';

/**
 * Brings the schema to the latest version. Kysely's Migrator runs all pending migrations in one
 * transaction under a lock (advisory lock on Postgres), so concurrent openers are safe, and it is
 * a no-op when the schema is current.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on the untyped schema
export async function migrateToLatest(db: Kysely<any>, kind: SqlKind, schema?: string): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(kind) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
    // Without it Kysely looks for its table in every schema and finds another test run's.
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new StoreError(
      'STORE_MIGRATION_FAILED',
      `could not migrate the store schema${failed ? ` (migration ${failed})` : ''}: ${describe(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations this code knows, in order; used by tests and `hyperfleet doctor`-style checks. */
export function knownMigrations(): string[] {
  return Object.keys(migrationsFor('sqlite')).sort();
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
