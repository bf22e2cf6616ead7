import { type Kysely, type Migration, sql } from 'kysely';
import type { SqlKind } from './sql-kind';

/**
 * 0005_projects: every sweep (and through it its trials, artifacts and events) and every model belongs to a
 * project; rows from before are in `default`. Events about no sweep (models, tokens, agents) carry their own
 * project. Stored API tokens: only their SHA-256 is kept.
 */
export function projectsMigration(kind: SqlKind): Migration {
  const bigint = kind === 'postgres' ? 'bigint' : 'integer';
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('sweeps')
        .addColumn('project', 'text', (c) => c.notNull().defaultTo('default'))
        .execute();
      // Sweeps submitted before this version: the project their config named (it was a label then).
      const named = kind === 'postgres' ? sql`config->>'project'` : sql`json_extract(config, '$.project')`;
      await sql`update sweeps set project = ${named} where ${named} is not null and ${named} <> ''`.execute(db);
      await db.schema.createIndex('sweeps_by_project').on('sweeps').columns(['project', 'created_at']).execute();
      await db.schema
        .alterTable('models')
        .addColumn('project', 'text', (c) => c.notNull().defaultTo('default'))
        .execute();
      await db.schema.alterTable('events').addColumn('project', 'text').execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('sha256', 'text', (c) => c.notNull().unique())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('expires_at', bigint)
        .addColumn('revoked_at', bigint)
        .addColumn('revoked_by', 'text')
        .execute();
    },
  };
}
