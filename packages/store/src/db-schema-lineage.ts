import type { ColumnType } from 'kysely';
import type { JsonColumn } from './json-column';

/** Tables added by migration 0003_lineage (pins per trial, blobs, model registry). */
export interface TrialLineageTable {
  trial_id: string;
  sweep_id: string;
  identity: string;
  record: JsonColumn;
  created_at: number;
}

export interface BlobsTable {
  hash: string;
  size: number;
  bytes: ColumnType<Buffer, Buffer, Buffer>;
  created_at: number;
}

export interface ModelsTable {
  name: string;
  created_at: number;
  created_by: string | null;
  /** Added in 0005. */
  project: ColumnType<string, string | undefined, string>;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  trial_id: string;
  artifact_hash: string;
  artifact_size: number;
  artifact_uri: string;
  tags: JsonColumn;
  created_at: number;
  created_by: string | null;
  deleted_at: number | null;
  deleted_by: string | null;
}

export interface ModelAliasesTable {
  name: string;
  alias: string;
  version: number;
  updated_at: number;
  updated_by: string | null;
}

export interface LineageTables {
  trial_lineage: TrialLineageTable;
  blobs: BlobsTable;
  models: ModelsTable;
  model_versions: ModelVersionsTable;
  model_aliases: ModelAliasesTable;
}
