import type { ColumnType } from 'kysely';

/** A JSON column: written as JSON text, read back as text (SQLite) or parsed (Postgres JSONB). */
export type JsonColumn = ColumnType<unknown, string, string>;
