import type { CompiledQuery, Kysely } from 'kysely';
import type { StoreDatabase } from './db-schema';
import type { SeriesBatch } from './metric-batch';
import type { BatchRows } from './postgres-batch-writer';
import type { MetricSeries } from './tracking-store';

/** What a constraint violation means to callers, independent of the driver's error codes. */
export type ConstraintKind = 'conflict' | 'missing-parent';

/**
 * The few things that differ per backend. Everything else (CRUD, ranking, filters) is written once
 * against Kysely in `SqlTrackingStore`.
 */
export interface StoreBackend {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<StoreDatabase>;
  /** pg hands JSONB back parsed; SQLite hands back the text. */
  readonly jsonParsed: boolean;
  /** Upserts the points and their summaries in one transaction (the hot path; driver-level SQL). */
  writeMetrics(batches: readonly SeriesBatch[]): Promise<void>;
  /** One key's whole history as columns, in step order (the dashboard's curves). */
  readSeries(trialId: string, key: string): Promise<MetricSeries>;
  /** The scheduler's batch save in the backend's fastest form; without it, multi-row upserts in `atomically`. */
  saveBatch?(rows: BatchRows): Promise<void>;
  /** Runs the queries in order in one transaction. */
  atomically(queries: readonly CompiledQuery[]): Promise<void>;
  /** Recognizes unique / foreign-key violations in this driver's errors. */
  constraintOf(err: unknown): ConstraintKind | null;
  /** Releases the connection(s); bounded in time. Called once. */
  destroy(): Promise<void>;
}
