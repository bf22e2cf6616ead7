import type { Insertable } from 'kysely';
import type { Pool } from 'pg';
import type { AttemptsTable, EventsTable, TrialsTable } from './db-schema';
import { jsonArray, jsonbColumn, scalarArray } from './pg-array-literal';

/** The scheduler's unit of work as rows: what `SqlTrackingStore.saveBatch` hands a backend. */
export interface BatchRows {
  trials: Insertable<TrialsTable>[];
  attempts: Insertable<AttemptsTable>[];
  events: Insertable<EventsTable>[];
}

const TRIAL_COLUMNS = [
  ['id', 'text'],
  ['sweep_id', 'text'],
  ['idx', 'int'],
  ['status', 'text'],
  ['params', 'jsonb'],
  ['seed', 'bigint'],
  ['command', 'jsonb'],
  ['created_at', 'bigint'],
  ['started_at', 'bigint'],
  ['ended_at', 'bigint'],
  ['exit_code', 'int'],
  ['signal', 'text'],
  ['reason', 'text'],
  ['metric_value', 'float8'],
  ['attempts', 'int'],
  ['dropped_points', 'jsonb'],
] as const;

const ATTEMPT_COLUMNS = [
  ['trial_id', 'text'],
  ['attempt', 'int'],
  ['worker', 'text'],
  ['status', 'text'],
  ['started_at', 'bigint'],
  ['ended_at', 'bigint'],
  ['exit_code', 'int'],
  ['signal', 'text'],
  ['reason', 'text'],
] as const;

const EVENT_COLUMNS = [
  ['at', 'bigint'],
  ['sweep_id', 'text'],
  ['trial_id', 'text'],
  ['type', 'text'],
  ['actor', 'text'],
  ['data', 'jsonb'],
] as const;

type Columns = ReadonlyArray<readonly [name: string, type: string]>;

/**
 * `INSERT … SELECT … FROM unnest($a::type[], …)`: one array bind per column. A jsonb column travels as one JSON
 * array (a text[] of documents would need every quote in them escaped).
 */
function insertFromArrays(table: string, columns: Columns, firstParam: number): string {
  const names = columns.map(([name]) => name);
  const arrays = columns.map(([, type], i) =>
    type === 'jsonb' ? jsonbColumn(`$${firstParam + i}`) : `$${firstParam + i}::${type}[]`,
  );
  return `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')})`;
}

function updateAll(columns: Columns, key: readonly string[]): string {
  return columns
    .filter(([name]) => !key.includes(name))
    .map(([name]) => `${name} = EXCLUDED.${name}`)
    .join(', ');
}

const TRIAL_IMMUTABLE = ['id', 'sweep_id', 'idx', 'created_at'];

// One statement, so one round trip and atomic: the CTEs' inserts commit together or not at all.
const SAVE_BATCH = `WITH t AS (
  ${insertFromArrays('trials', TRIAL_COLUMNS, 1)}
  ON CONFLICT (id) DO UPDATE SET ${updateAll(TRIAL_COLUMNS, TRIAL_IMMUTABLE)} RETURNING 1
), a AS (
  ${insertFromArrays('attempts', ATTEMPT_COLUMNS, 1 + TRIAL_COLUMNS.length)}
  ON CONFLICT (trial_id, attempt) DO UPDATE SET ${updateAll(ATTEMPT_COLUMNS, ['trial_id', 'attempt'])} RETURNING 1
), e AS (
  ${insertFromArrays('events', EVENT_COLUMNS, 1 + TRIAL_COLUMNS.length + ATTEMPT_COLUMNS.length)} RETURNING 1
) SELECT 1`;

function columnArrays(rows: ReadonlyArray<Record<string, unknown>>, columns: Columns): string[] {
  return columns.map(([name, type]) => {
    const column = rows.map((row) => row[name] ?? null);
    return type === 'jsonb' ? jsonArray(column as Array<string | null>) : scalarArray(column);
  });
}

/**
 * The scheduler's batch save on Postgres: trials and attempts upserted and events appended in one
 * statement whose text never changes, so it is parsed and planned once per connection (a named,
 * server-side prepared statement) and binds 30 arrays whatever the batch size. Building the same save
 * as multi-row VALUES cost a query compile here and a fresh parse and plan in Postgres on every batch.
 */
export async function savePostgresBatch(pool: Pool, rows: BatchRows): Promise<void> {
  if (rows.trials.length + rows.attempts.length + rows.events.length === 0) return;
  await pool.query({
    name: 'hyperfleet-save-batch',
    text: SAVE_BATCH,
    values: [
      ...columnArrays(rows.trials, TRIAL_COLUMNS),
      ...columnArrays(rows.attempts, ATTEMPT_COLUMNS),
      ...columnArrays(rows.events, EVENT_COLUMNS),
    ],
  });
}
