import type { TrialLineage } from '@hyperfleet/lineage';
import type { ProjectScope } from './project-scope';

/** Per-trial pins and the content-addressed blobs they refer to (the pinned diffs). */
export interface LineageStore {
  /** Idempotent: a blob is its hash. */
  putBlob(hash: string, bytes: Buffer): Promise<void>;
  getBlob(hash: string): Promise<Buffer | null>;
  /** Upsert: a re-dispatched trial records the same pins again. */
  recordLineage(lineage: TrialLineage): Promise<void>;
  getLineage(trialId: string): Promise<TrialLineage | null>;
  /** Trials whose identity hash is `identity` (same code, data, params, command), oldest first. */
  findTrialsByIdentity(identity: string): Promise<string[]>;
  /** Every data md5 any recorded trial was pinned to (what `data gc` must keep). */
  listPinnedData(): Promise<string[]>;
}

export interface ModelRecord {
  name: string;
  /** The project of the trial it was first registered from; later versions come from the same project. */
  project: string;
  createdAt: number;
  createdBy: string | null;
}

export interface ModelVersionRecord {
  name: string;
  version: number;
  trialId: string;
  artifact: { hash: string; size: number; uri: string };
  /** Lineage tags copied at registration: commit, diff hash, data hashes, params, final metrics… */
  tags: Record<string, unknown>;
  /** Aliases pointing at this version now. */
  aliases: string[];
  createdAt: number;
  createdBy: string | null;
  deletedAt: number | null;
  deletedBy: string | null;
}

export interface RegisterModelInput {
  name: string;
  /** The trial's project (its sweep's). */
  project: string;
  trialId: string;
  artifact: { hash: string; size: number; uri: string };
  tags: Record<string, unknown>;
  /** Aliases to point at the new version (moved from whatever version held them). */
  aliases?: string[];
  actor: string | null;
  at: number;
}

/** The audit events the registry writes (append-only, in `events`). */
export const AUDIT_EVENT_TYPES = [
  'model.created',
  'model.version.registered',
  'model.alias.set',
  'model.version.deleted',
] as const;

/** Registered models with numbered versions, moving aliases, and an append-only audit trail. */
export interface ModelRegistry {
  register(input: RegisterModelInput): Promise<ModelVersionRecord>;
  getModel(name: string): Promise<ModelRecord | null>;
  listModels(
    scope?: ProjectScope,
  ): Promise<Array<ModelRecord & { latest: number | null; aliases: Record<string, number> }>>;
  listVersions(name: string): Promise<ModelVersionRecord[]>;
  /** `NAME` (latest live version), `NAME@3`, `NAME@v3` or `NAME@staging`; STORE_NOT_FOUND says what exists. */
  resolve(ref: string): Promise<ModelVersionRecord>;
  setAlias(name: string, alias: string, version: number, actor: string | null, at: number): Promise<void>;
  /** Soft delete: the version stays for the audit trail, marked deleted; its aliases are dropped. */
  deleteVersion(name: string, version: number, actor: string | null, at: number): Promise<void>;
}
