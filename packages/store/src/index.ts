export type { EventRecord } from './event-record';
export {
  AUDIT_EVENT_TYPES,
  type LineageStore,
  type ModelRecord,
  type ModelRegistry,
  type ModelVersionRecord,
  type RegisterModelInput,
} from './lineage-store';
export { knownMigrations } from './migrations';
export { type NewTrialFields, NOT_STARTED, newTrialRecord } from './new-trial-record';
export { describePostgresUrl, openPostgresStore, type PostgresStoreOptions } from './open-postgres-store';
export { openSqliteStore, type SqliteStoreOptions } from './open-sqlite-store';
export {
  DEFAULT_SQLITE_PATH,
  defaultStoreUrl,
  type OpenStoreOptions,
  openStore,
  parseStoreUrl,
  type StoreTarget,
} from './open-store';
export type { ProjectScope } from './project-scope';
export { recordTrialLineage } from './record-trial-lineage';
export { SqlTrackingStore } from './sql-tracking-store';
export { isStoreError, isStoreUnreachable, StoreError, type StoreErrorCode } from './store-error';
export type { StoredTokenRecord, TokenStore } from './token-store';
export type {
  ArtifactRecord,
  AttemptRecord,
  AuditFilter,
  EventFilter,
  ListTrialsOptions,
  MetricHistoryOptions,
  MetricSeries,
  NewSweepRecord,
  StoreBatch,
  SweepPatch,
  SweepRecord,
  TrackingStore,
  TrialPatch,
  TrialRecord,
} from './tracking-store';
export { WriteBehindStore } from './write-behind-store';
