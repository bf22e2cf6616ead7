import type { Kysely, Migration } from 'kysely';
import type { SqlKind } from './sql-kind';

/**
 * 0003_lineage: what each trial was pinned to, content-addressed blobs (pinned diffs), and the model
 * registry. The audit trail reuses `events`, which the database already keeps append-only.
 */
export function lineageMigration(kind: SqlKind): Migration {
  const pg = kind === 'postgres';
  const bigint = pg ? 'bigint' : 'integer';
  const json = pg ? 'jsonb' : 'text';
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('trial_lineage')
        .addColumn('trial_id', 'text', (c) => c.primaryKey().references('trials.id').onDelete('cascade'))
        .addColumn('sweep_id', 'text', (c) => c.notNull())
        .addColumn('identity', 'text', (c) => c.notNull())
        .addColumn('record', json, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('trial_lineage_identity').on('trial_lineage').column('identity').execute();
      await db.schema.createIndex('trial_lineage_sweep').on('trial_lineage').column('sweep_id').execute();

      await db.schema
        .createTable('blobs')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('size', bigint, (c) => c.notNull())
        .addColumn('bytes', pg ? 'bytea' : 'blob', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('models')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('created_by', 'text')
        .execute();
      // No foreign key to trials: a registered model must outlive the sweep it came from.
      await db.schema
        .createTable('model_versions')
        .addColumn('name', 'text', (c) => c.notNull().references('models.name'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('trial_id', 'text', (c) => c.notNull())
        .addColumn('artifact_hash', 'text', (c) => c.notNull())
        .addColumn('artifact_size', bigint, (c) => c.notNull())
        .addColumn('artifact_uri', 'text', (c) => c.notNull())
        .addColumn('tags', json, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('deleted_at', bigint)
        .addColumn('deleted_by', 'text')
        .addPrimaryKeyConstraint('model_versions_pk', ['name', 'version'])
        .execute();
      await db.schema.createIndex('model_versions_trial').on('model_versions').column('trial_id').execute();
      await db.schema
        .createTable('model_aliases')
        .addColumn('name', 'text', (c) => c.notNull().references('models.name'))
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .addColumn('updated_by', 'text')
        .addPrimaryKeyConstraint('model_aliases_pk', ['name', 'alias'])
        .execute();
    },
  };
}
