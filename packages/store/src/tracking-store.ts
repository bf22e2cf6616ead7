import type {
  DroppedPoints,
  Goal,
  MetricPoint,
  MetricSummary,
  Params,
  SweepStatus,
  TrialStatus,
} from '@hyperfleet/domain';
import type { EventRecord } from './event-record';
import type { LineageStore, ModelRegistry } from './lineage-store';
import type { ProjectScope } from './project-scope';
import type { TokenStore } from './token-store';

/** Stored form of a sweep. `config` is the validated sweep config as submitted (JSON). */
export interface SweepRecord {
  id: string;
  name: string | null;
  status: SweepStatus;
  method: string;
  metricName: string | null;
  goal: Goal;
  config: unknown;
  seed: number;
  createdAt: number; // ms since epoch
  finishedAt: number | null;
  /** Why the sweep ended (exhausted, run_cap, target reached, breaker message, cancelled…). */
  reason: string | null;
  /** Who may see and control it (tokens hold roles per project): the config's `project:`, `default` when absent. */
  project: string;
}

/** A sweep to create: `project` defaults to the config's `project:` (see `sweepProject`). */
export type NewSweepRecord = Omit<SweepRecord, 'project'> & { project?: string };

/** `listAudit`: events someone did (actor set), newest last. */
export interface AuditFilter extends ProjectScope {
  /** Only events about this model. */
  model?: string;
  sweepId?: string;
  /** The last n. */
  limit?: number;
}

export interface TrialRecord {
  id: string;
  sweepId: string;
  /** 0-based order of creation within the sweep; also the RNG sub-stream index. */
  index: number;
  status: TrialStatus;
  params: Params;
  seed: number;
  /** The argv the trial runs (after macro expansion). */
  command: string[] | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  /** Human-readable failure / stop / cancel reason ("spawn ENOENT: ...", "no metric", "hyperband rung 1"). */
  reason: string | null;
  /**
   * Value of the sweep metric used for ranking (best by goal, or last — the scheduler decides); null = no metric.
   * Non-finite (NaN, ±Infinity) only when the trial reported nothing finite: it ranks after every finite value.
   */
  metricValue: number | null;
  attempts: number;
  /** Metric points the ingest dropped, per reason (step < 0, …); absent when none was. */
  droppedPoints?: DroppedPoints;
}

export interface AttemptRecord {
  trialId: string;
  attempt: number; // 1-based
  worker: string | null;
  status: TrialStatus;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
}

export interface ArtifactRecord {
  trialId: string;
  name: string;
  /** Content hash (e.g. "md5:…" or "sha256:…"). */
  hash: string;
  size: number;
  uri: string;
  createdAt: number;
}

export interface ListTrialsOptions {
  status?: TrialStatus[];
  /** Order by metricValue with this goal (non-finite values after finite ones, nulls last), then index. Default: by index. */
  rankBy?: Goal;
  limit?: number;
  offset?: number;
}

/** One key's whole history as two columns in step order: what a chart reads, without an object per point. */
export interface MetricSeries {
  steps: number[];
  values: number[];
}

export interface MetricHistoryOptions {
  /** Downsample to at most this many points (keeps first and last, evenly strided). */
  maxPoints?: number;
}

/** Filter for `listEvents`; results are in append order (ascending id). */
export interface EventFilter {
  sweepId?: string;
  trialId?: string;
  /** One type or any of several ('trial.failed', ['trial.started', 'trial.failed']). */
  type?: string | string[];
  /** Only events appended after this id (tailing the log). */
  afterId?: number;
  limit?: number;
}

/** Rows the scheduler's write-behind buffer saves at once (see WriteBehindStore). */
export interface StoreBatch {
  /** Full rows: inserted, or replacing every mutable column of an existing row. */
  trials: TrialRecord[];
  /** Full rows keyed by (trialId, attempt): inserted or replaced. */
  attempts: AttemptRecord[];
  /** Appended in order. */
  events: EventRecord[];
}

export type TrialPatch = Partial<Omit<TrialRecord, 'id' | 'sweepId' | 'index' | 'createdAt'>>;
export type SweepPatch = Partial<Pick<SweepRecord, 'status' | 'finishedAt' | 'reason' | 'name'>>;

/**
 * The tracking store. One interface, two backends (SQLite embedded, Postgres fleet).
 * Every method is async so both backends share it; `close()` is idempotent.
 */
export interface TrackingStore {
  readonly kind: 'sqlite' | 'postgres';

  createSweep(sweep: NewSweepRecord): Promise<void>;
  getSweep(id: string): Promise<SweepRecord | null>;
  listSweeps(opts?: { limit?: number } & ProjectScope): Promise<SweepRecord[]>;
  /** The sweeps whose id starts with `prefix` (case-sensitive), in id order, at most `limit` of them. */
  findSweepsByIdPrefix(prefix: string, limit: number, scope?: ProjectScope): Promise<SweepRecord[]>;
  updateSweep(id: string, patch: SweepPatch): Promise<void>;

  createTrial(trial: TrialRecord): Promise<void>;
  getTrial(id: string): Promise<TrialRecord | null>;
  updateTrial(id: string, patch: TrialPatch): Promise<void>;
  listTrials(sweepId: string, opts?: ListTrialsOptions): Promise<TrialRecord[]>;
  countTrials(sweepId: string): Promise<Record<TrialStatus, number>>;

  startAttempt(attempt: AttemptRecord): Promise<void>;
  finishAttempt(
    trialId: string,
    attempt: number,
    patch: Partial<Omit<AttemptRecord, 'trialId' | 'attempt'>>,
  ): Promise<void>;
  listAttempts(trialId: string): Promise<AttemptRecord[]>;

  /** One transaction, multi-row insert; idempotent on (trialId, key, step) — a repeated point replaces the old one. Updates summaries. */
  writeMetrics(points: MetricPoint[]): Promise<void>;
  getMetricHistory(trialId: string, key: string, opts?: MetricHistoryOptions): Promise<MetricPoint[]>;
  /** The same points as `getMetricHistory`, as columns: the cheap read of a long history (10,000s of steps). */
  getMetricSeries(trialId: string, key: string): Promise<MetricSeries>;
  getSummaries(trialId: string): Promise<MetricSummary[]>;
  /**
   * Moves a lost attempt's points aside (kept, marked with the attempt) and clears the trial's summaries,
   * so the next attempt starts a clean series. One transaction.
   */
  archiveAttemptMetrics(trialId: string, attempt: number): Promise<void>;
  /** Points of archived attempts, by attempt then step. */
  listArchivedMetrics(trialId: string): Promise<(MetricPoint & { attempt: number })[]>;

  addArtifact(artifact: ArtifactRecord): Promise<void>;
  listArtifacts(trialId: string): Promise<ArtifactRecord[]>;

  appendEvent(event: EventRecord): Promise<void>;
  /** Saves many trial and attempt rows and events in one transaction with multi-row statements. */
  saveBatch(batch: StoreBatch): Promise<void>;
  listEvents(filter: EventFilter): Promise<EventRecord[]>;
  /**
   * The audit log: events with an actor (submit, pause, stop, model register/promote/delete, tokens, agents),
   * each in its project (its own, else its sweep's), oldest first.
   */
  listAudit(filter?: AuditFilter): Promise<EventRecord[]>;
  /** Stored API tokens (only their SHA-256). */
  tokens(): TokenStore;
  /**
   * The server's own secret `name`: the stored one, or `fresh` stored first (the first caller wins, so every
   * replica gets the same value).
   */
  serverSecret(name: string, fresh: string): Promise<string>;

  /** Per-trial pins and pinned blobs (lineage). */
  lineage(): LineageStore;
  /** The model registry and its audit trail. */
  models(): ModelRegistry;

  close(): Promise<void>;
}
