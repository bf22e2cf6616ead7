import type { ColumnType, Generated } from 'kysely';
import type { LineageTables } from './db-schema-lineage';
import type { JsonColumn } from './json-column';

/**
 * Row shapes as the SQL backends see them (snake_case). Both backends share these types;
 * the differences are absorbed by the codecs in `value-codec.ts`:
 * - JSON columns are TEXT on SQLite and JSONB on Postgres: we always write JSON text, and read
 *   back a string (SQLite) or an already-parsed value (pg).
 * - Float columns may hold the text 'NaN' on SQLite (its REAL type turns NaN into NULL).
 */
export type FloatColumn = ColumnType<number | string, number | string, number | string>;
export type NullableFloatColumn = ColumnType<number | string | null, number | string | null, number | string | null>;

export interface SweepsTable {
  id: string;
  name: string | null;
  status: string;
  method: string;
  metric_name: string | null;
  goal: string;
  config: JsonColumn;
  seed: number;
  created_at: number;
  finished_at: number | null;
  reason: string | null;
  /** Added in 0005. */
  project: ColumnType<string, string | undefined, string>;
}

export interface TrialsTable {
  id: string;
  sweep_id: string;
  idx: number;
  status: string;
  params: JsonColumn;
  seed: number;
  command: ColumnType<unknown, string | null, string | null>;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  exit_code: number | null;
  signal: string | null;
  reason: string | null;
  metric_value: NullableFloatColumn;
  attempts: number;
  /** Points the ingest dropped, per reason (JSON object; null = none). Added in 0004. */
  dropped_points: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface AttemptsTable {
  trial_id: string;
  attempt: number;
  worker: string | null;
  status: string;
  started_at: number;
  ended_at: number | null;
  exit_code: number | null;
  signal: string | null;
  reason: string | null;
}

export interface MetricPointsTable {
  trial_id: string;
  key: string;
  step: number;
  value: FloatColumn;
  ts: number;
}

export interface ArchivedMetricPointsTable extends MetricPointsTable {
  attempt: number;
}

export interface MetricSummariesTable {
  trial_id: string;
  key: string;
  last: FloatColumn;
  last_step: number;
  min: FloatColumn;
  min_step: number;
  max: FloatColumn;
  max_step: number;
  count: number;
}

export interface ArtifactsTable {
  trial_id: string;
  name: string;
  hash: string;
  size: number;
  uri: string;
  created_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  at: number;
  sweep_id: string | null;
  trial_id: string | null;
  type: string;
  actor: string | null;
  data: ColumnType<unknown, string | null, never>;
  /** Events about no sweep (models, tokens, agents): their project (0005). Sweep events: null, see sweeps. */
  project: ColumnType<string | null, string | null | undefined, never>;
}

/** Stored API tokens (0005): the SHA-256 of the secret, never the secret. */
export interface ApiTokensTable {
  id: string;
  name: string;
  sha256: string;
  project: string;
  role: string;
  created_at: number;
  created_by: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

/**
 * Secrets the server generates for itself (0006), e.g. the fleet secret agent credentials derive from: kept in the
 * record, not in Redis, so a Redis that restarts empty does not change them under running agents.
 */
export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: number;
}

export interface StoreDatabase extends LineageTables {
  sweeps: SweepsTable;
  trials: TrialsTable;
  attempts: AttemptsTable;
  metric_points: MetricPointsTable;
  archived_metric_points: ArchivedMetricPointsTable;
  metric_summaries: MetricSummariesTable;
  artifacts: ArtifactsTable;
  events: EventsTable;
  api_tokens: ApiTokensTable;
  server_secrets: ServerSecretsTable;
}
