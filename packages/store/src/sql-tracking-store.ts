import {
  type DroppedPoints,
  type Goal,
  type MetricPoint,
  type MetricSummary,
  type SweepStatus,
  sweepProject,
  TRIAL_STATUSES,
  type TrialStatus,
} from '@hyperfleet/domain';
import { type CompiledQuery, type Selectable, sql, type Updateable } from 'kysely';
import type { AttemptsTable, SweepsTable, TrialsTable } from './db-schema';
import { downsample } from './downsample';
import type { EventRecord } from './event-record';
import { idPrefixPattern } from './id-prefix-pattern';
import type { LineageStore, ModelRegistry } from './lineage-store';
import { groupPoints } from './metric-batch';
import type { ProjectScope } from './project-scope';
import type { SqlKind } from './sql-kind';
import { SqlLineageStore } from './sql-lineage-store';
import { SqlModelRegistry } from './sql-model-registry';
import { SqlTokenStore } from './sql-token-store';
import type { StoreBackend } from './store-backend';
import { StoreError } from './store-error';
import type { TokenStore } from './token-store';
import type {
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
import { decodeFloat, decodeJson, decodeNullableFloat, encodeJson, encodeNullableFloat } from './value-codec';

/** The TrackingStore over either SQL backend; only the metric hot path and transactions are backend-specific. */
export class SqlTrackingStore implements TrackingStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, without credentials (for messages and `hyperfleet doctor`). */
  readonly location: string;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly backend: StoreBackend,
    location: string,
  ) {
    this.kind = backend.kind;
    this.location = location;
  }

  private get db() {
    if (this.closing) throw new StoreError('STORE_CLOSED', `the store at ${this.location} is closed`);
    return this.backend.db;
  }

  // ---- sweeps ----

  async createSweep(s: NewSweepRecord): Promise<void> {
    await this.guard(`sweep ${s.id}`, () =>
      this.db
        .insertInto('sweeps')
        .values({
          id: s.id,
          name: s.name,
          status: s.status,
          method: s.method,
          metric_name: s.metricName,
          goal: s.goal,
          config: encodeJson(s.config),
          seed: s.seed,
          created_at: s.createdAt,
          finished_at: s.finishedAt,
          reason: s.reason,
          project: s.project ?? sweepProject(s.config),
        })
        .execute(),
    );
  }

  async getSweep(id: string): Promise<SweepRecord | null> {
    const row = await this.db.selectFrom('sweeps').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toSweep(row) : null;
  }

  async listSweeps(opts: { limit?: number } & ProjectScope = {}): Promise<SweepRecord[]> {
    if (opts.projects?.length === 0) return [];
    let q = this.db.selectFrom('sweeps').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (opts.projects) q = q.where('project', 'in', [...opts.projects]);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    return (await q.execute()).map((r) => this.toSweep(r));
  }

  async findSweepsByIdPrefix(prefix: string, limit: number, scope: ProjectScope = {}): Promise<SweepRecord[]> {
    if (scope.projects?.length === 0) return [];
    const pattern = idPrefixPattern(this.kind, prefix);
    let q = this.db
      .selectFrom('sweeps')
      .selectAll()
      .where(this.kind === 'sqlite' ? sql<boolean>`id GLOB ${pattern}` : sql<boolean>`id LIKE ${pattern} ESCAPE '\\'`);
    if (scope.projects) q = q.where('project', 'in', [...scope.projects]);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => this.toSweep(r));
  }

  async updateSweep(id: string, patch: SweepPatch): Promise<void> {
    const set: Updateable<SweepsTable> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
    if (patch.reason !== undefined) set.reason = patch.reason;
    if (patch.name !== undefined) set.name = patch.name;
    await this.updateOne(
      `sweep ${id}`,
      set,
      () => this.db.updateTable('sweeps').set(set).where('id', '=', id).executeTakeFirst(),
      () => this.db.selectFrom('sweeps').select('id').where('id', '=', id).executeTakeFirst(),
    );
  }

  // ---- trials ----

  async createTrial(t: TrialRecord): Promise<void> {
    await this.guard(`trial ${t.id} (sweep ${t.sweepId})`, () =>
      this.db.insertInto('trials').values(trialRow(t)).execute(),
    );
  }

  async getTrial(id: string): Promise<TrialRecord | null> {
    const row = await this.db.selectFrom('trials').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toTrial(row) : null;
  }

  async updateTrial(id: string, patch: TrialPatch): Promise<void> {
    const set: Updateable<TrialsTable> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.params !== undefined) set.params = encodeJson(patch.params);
    if (patch.seed !== undefined) set.seed = patch.seed;
    if (patch.command !== undefined) set.command = patch.command === null ? null : encodeJson(patch.command);
    if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
    if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
    if (patch.exitCode !== undefined) set.exit_code = patch.exitCode;
    if (patch.signal !== undefined) set.signal = patch.signal;
    if (patch.reason !== undefined) set.reason = patch.reason;
    if (patch.metricValue !== undefined) set.metric_value = encodeNullableFloat(patch.metricValue);
    if (patch.attempts !== undefined) set.attempts = patch.attempts;
    if (patch.droppedPoints !== undefined) set.dropped_points = encodeDroppedPoints(patch.droppedPoints);
    await this.updateOne(
      `trial ${id}`,
      set,
      () => this.db.updateTable('trials').set(set).where('id', '=', id).executeTakeFirst(),
      () => this.db.selectFrom('trials').select('id').where('id', '=', id).executeTakeFirst(),
    );
  }

  async listTrials(sweepId: string, opts: ListTrialsOptions = {}): Promise<TrialRecord[]> {
    let q = this.db.selectFrom('trials').selectAll().where('sweep_id', '=', sweepId);
    if (opts.status) {
      if (opts.status.length === 0) return [];
      q = q.where('status', 'in', opts.status);
    }
    if (opts.rankBy) {
      // Finite values by goal, then non-finite ones (a diverged trial never ranks as best: engine's rankClass),
      // then no metric; non-finite ones among themselves by index.
      q = q
        .orderBy(sql`case when metric_value is null then 2 when ${nonFiniteMetric(this.kind)} then 1 else 0 end`)
        .orderBy(
          sql`case when ${nonFiniteMetric(this.kind)} then null else metric_value end`,
          opts.rankBy === 'maximize' ? 'desc' : 'asc',
        );
    }
    q = q.orderBy('idx', 'asc');
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    else if (opts.offset !== undefined && this.kind === 'sqlite') q = q.limit(-1); // SQLite: no OFFSET without LIMIT
    if (opts.offset !== undefined) q = q.offset(opts.offset);
    return (await q.execute()).map((r) => this.toTrial(r));
  }

  async countTrials(sweepId: string): Promise<Record<TrialStatus, number>> {
    const rows = await this.db
      .selectFrom('trials')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('sweep_id', '=', sweepId)
      .groupBy('status')
      .execute();
    const counts = Object.fromEntries(TRIAL_STATUSES.map((s) => [s, 0])) as Record<TrialStatus, number>;
    for (const r of rows) counts[r.status as TrialStatus] = Number(r.n);
    return counts;
  }

  // ---- attempts ----

  async startAttempt(a: AttemptRecord): Promise<void> {
    const db = this.db;
    // The trial's `attempts` counter follows the highest attempt started (idempotent, never decreases).
    await this.guard(`attempt ${a.attempt} of trial ${a.trialId}`, () =>
      this.backend.atomically([
        db.insertInto('attempts').values(attemptRow(a)).compile(),
        db
          .updateTable('trials')
          .set({ attempts: sql<number>`case when attempts < ${a.attempt} then ${a.attempt} else attempts end` })
          .where('id', '=', a.trialId)
          .compile(),
      ]),
    );
  }

  async finishAttempt(
    trialId: string,
    attempt: number,
    patch: Partial<Omit<AttemptRecord, 'trialId' | 'attempt'>>,
  ): Promise<void> {
    const set: Updateable<AttemptsTable> = {};
    if (patch.worker !== undefined) set.worker = patch.worker;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
    if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
    if (patch.exitCode !== undefined) set.exit_code = patch.exitCode;
    if (patch.signal !== undefined) set.signal = patch.signal;
    if (patch.reason !== undefined) set.reason = patch.reason;
    await this.updateOne(
      `attempt ${attempt} of trial ${trialId}`,
      set,
      () =>
        this.db
          .updateTable('attempts')
          .set(set)
          .where('trial_id', '=', trialId)
          .where('attempt', '=', attempt)
          .executeTakeFirst(),
      () =>
        this.db
          .selectFrom('attempts')
          .select('attempt')
          .where('trial_id', '=', trialId)
          .where('attempt', '=', attempt)
          .executeTakeFirst(),
    );
  }

  async listAttempts(trialId: string): Promise<AttemptRecord[]> {
    const rows = await this.db
      .selectFrom('attempts')
      .selectAll()
      .where('trial_id', '=', trialId)
      .orderBy('attempt')
      .execute();
    return rows.map(toAttempt);
  }

  // ---- metrics ----

  async writeMetrics(points: MetricPoint[]): Promise<void> {
    const db = this.db; // closed check before any work
    if (points.length === 0) return;
    const batches = groupPoints(points);
    try {
      await this.backend.writeMetrics(batches);
    } catch (err) {
      if (this.backend.constraintOf(err) !== 'missing-parent') throw err;
      const ids = [...new Set(batches.map((b) => b.trialId))];
      const found = new Set(
        (await db.selectFrom('trials').select('id').where('id', 'in', ids).execute()).map((r) => r.id),
      );
      const missing = ids.filter((id) => !found.has(id));
      throw new StoreError(
        'STORE_NOT_FOUND',
        `metrics for unknown trial(s) ${missing.join(', ')}: create the trial before writing its metrics (nothing in this batch was written)`,
        { cause: err },
      );
    }
  }

  async getMetricHistory(trialId: string, key: string, opts: MetricHistoryOptions = {}): Promise<MetricPoint[]> {
    const rows = await this.db
      .selectFrom('metric_points')
      .select(['step', 'value', 'ts'])
      .where('trial_id', '=', trialId)
      .where('key', '=', key)
      .orderBy('step')
      .execute();
    return downsample(rows, opts.maxPoints).map((r) => ({
      trialId,
      key,
      step: Number(r.step),
      value: decodeFloat(r.value),
      timestamp: Number(r.ts),
    }));
  }

  getMetricSeries(trialId: string, key: string): Promise<MetricSeries> {
    return this.backend.readSeries(trialId, key);
  }

  async archiveAttemptMetrics(trialId: string, attempt: number): Promise<void> {
    const db = this.db;
    await this.backend.atomically([
      db
        .insertInto('archived_metric_points')
        .columns(['trial_id', 'attempt', 'key', 'step', 'value', 'ts'])
        .expression(
          db
            .selectFrom('metric_points')
            .select(['trial_id', sql<number>`${attempt}`.as('attempt'), 'key', 'step', 'value', 'ts'])
            .where('trial_id', '=', trialId),
        )
        .onConflict((oc) => oc.doNothing())
        .compile(),
      db.deleteFrom('metric_points').where('trial_id', '=', trialId).compile(),
      db.deleteFrom('metric_summaries').where('trial_id', '=', trialId).compile(),
    ]);
  }

  async listArchivedMetrics(trialId: string): Promise<(MetricPoint & { attempt: number })[]> {
    const rows = await this.db
      .selectFrom('archived_metric_points')
      .select(['attempt', 'key', 'step', 'value', 'ts'])
      .where('trial_id', '=', trialId)
      .orderBy('attempt')
      .orderBy('key')
      .orderBy('step')
      .execute();
    return rows.map((r) => ({
      trialId,
      attempt: Number(r.attempt),
      key: r.key,
      step: Number(r.step),
      value: decodeFloat(r.value),
      timestamp: Number(r.ts),
    }));
  }

  async getSummaries(trialId: string): Promise<MetricSummary[]> {
    const rows = await this.db
      .selectFrom('metric_summaries')
      .selectAll()
      .where('trial_id', '=', trialId)
      .orderBy('key')
      .execute();
    return rows.map((r) => ({
      trialId: r.trial_id,
      key: r.key,
      last: decodeFloat(r.last),
      lastStep: Number(r.last_step),
      min: decodeFloat(r.min),
      minStep: Number(r.min_step),
      max: decodeFloat(r.max),
      maxStep: Number(r.max_step),
      count: Number(r.count),
    }));
  }

  // ---- artifacts ----

  /** Upsert on (trialId, name): re-registering an artifact (a retried upload) replaces it. */
  async addArtifact(a: ArtifactRecord): Promise<void> {
    const row = { hash: a.hash, size: a.size, uri: a.uri, created_at: a.createdAt };
    await this.guard(`artifact ${a.name} of trial ${a.trialId}`, () =>
      this.db
        .insertInto('artifacts')
        .values({ trial_id: a.trialId, name: a.name, ...row })
        .onConflict((oc) => oc.columns(['trial_id', 'name']).doUpdateSet(row))
        .execute(),
    );
  }

  async listArtifacts(trialId: string): Promise<ArtifactRecord[]> {
    const rows = await this.db
      .selectFrom('artifacts')
      .selectAll()
      .where('trial_id', '=', trialId)
      .orderBy('created_at')
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      trialId: r.trial_id,
      name: r.name,
      hash: r.hash,
      size: Number(r.size),
      uri: r.uri,
      createdAt: Number(r.created_at),
    }));
  }

  // ---- events ----

  /** Appends; `event.id` is ignored (the store assigns increasing ids). */
  async appendEvent(e: EventRecord): Promise<void> {
    await this.db.insertInto('events').values(eventRow(e)).execute();
  }

  async saveBatch(batch: StoreBatch): Promise<void> {
    const what = 'a batch of trials, attempts and events';
    const save = this.backend.saveBatch;
    if (save) {
      const rows = {
        trials: batch.trials.map(trialRow),
        attempts: batch.attempts.map(attemptRow),
        events: batch.events.map(eventRow),
      };
      await this.guard(what, () => save(rows));
      return;
    }
    const db = this.db;
    const queries: CompiledQuery[] = [];
    for (const rows of chunks(batch.trials.map(trialRow), BATCH_ROWS)) {
      queries.push(
        db
          .insertInto('trials')
          .values(rows)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              status: eb.ref('excluded.status'),
              params: eb.ref('excluded.params'),
              seed: eb.ref('excluded.seed'),
              command: eb.ref('excluded.command'),
              started_at: eb.ref('excluded.started_at'),
              ended_at: eb.ref('excluded.ended_at'),
              exit_code: eb.ref('excluded.exit_code'),
              signal: eb.ref('excluded.signal'),
              reason: eb.ref('excluded.reason'),
              metric_value: eb.ref('excluded.metric_value'),
              attempts: eb.ref('excluded.attempts'),
              dropped_points: eb.ref('excluded.dropped_points'),
            })),
          )
          .compile(),
      );
    }
    for (const rows of chunks(batch.attempts.map(attemptRow), BATCH_ROWS)) {
      queries.push(
        db
          .insertInto('attempts')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['trial_id', 'attempt']).doUpdateSet((eb) => ({
              worker: eb.ref('excluded.worker'),
              status: eb.ref('excluded.status'),
              started_at: eb.ref('excluded.started_at'),
              ended_at: eb.ref('excluded.ended_at'),
              exit_code: eb.ref('excluded.exit_code'),
              signal: eb.ref('excluded.signal'),
              reason: eb.ref('excluded.reason'),
            })),
          )
          .compile(),
      );
    }
    for (const rows of chunks(batch.events.map(eventRow), BATCH_ROWS)) {
      queries.push(db.insertInto('events').values(rows).compile());
    }
    if (queries.length === 0) return;
    await this.guard(what, () => this.backend.atomically(queries));
  }

  async listEvents(filter: EventFilter = {}): Promise<EventRecord[]> {
    let q = this.db.selectFrom('events').selectAll();
    if (filter.sweepId !== undefined) q = q.where('sweep_id', '=', filter.sweepId);
    if (filter.trialId !== undefined) q = q.where('trial_id', '=', filter.trialId);
    if (filter.type !== undefined) q = q.where('type', 'in', Array.isArray(filter.type) ? filter.type : [filter.type]);
    if (filter.afterId !== undefined) q = q.where('id', '>', filter.afterId);
    q = q.orderBy('id', 'asc');
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      sweepId: r.sweep_id,
      trialId: r.trial_id,
      type: r.type,
      actor: r.actor,
      data: decodeJson(r.data, this.backend.jsonParsed),
    }));
  }

  async listAudit(filter: AuditFilter = {}): Promise<EventRecord[]> {
    if (filter.projects?.length === 0) return [];
    // An event's project: its own (models, tokens, agents), else its sweep's.
    const project = sql<string | null>`coalesce(events.project, sweeps.project)`;
    let q = this.db
      .selectFrom('events')
      .leftJoin('sweeps', 'sweeps.id', 'events.sweep_id')
      .select([
        'events.id as id',
        'events.at as at',
        'events.sweep_id as sweep_id',
        'events.trial_id as trial_id',
        'events.type as type',
        'events.actor as actor',
        'events.data as data',
        project.as('project'),
      ])
      .where('events.actor', 'is not', null);
    if (filter.projects) q = q.where(project, 'in', [...filter.projects]);
    if (filter.sweepId !== undefined) q = q.where('events.sweep_id', '=', filter.sweepId);
    if (filter.model !== undefined) {
      const model = this.kind === 'postgres' ? sql`events.data->>'model'` : sql`json_extract(events.data, '$.model')`;
      q = q.where(sql<boolean>`${model} = ${filter.model}`);
    }
    q = q.orderBy('events.id', 'desc');
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    const rows = await q.execute();
    return rows.reverse().map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      sweepId: r.sweep_id,
      trialId: r.trial_id,
      type: r.type,
      actor: r.actor,
      data: decodeJson(r.data, this.backend.jsonParsed),
      project: r.project,
    }));
  }

  async serverSecret(name: string, fresh: string): Promise<string> {
    await this.db
      .insertInto('server_secrets')
      .values({ name, value: fresh, created_at: Date.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
    if (!row) throw new StoreError('STORE_NOT_FOUND', `server secret ${name} vanished after it was written`);
    return row.value;
  }

  tokens(): TokenStore {
    return new SqlTokenStore(this.backend, () => this.db);
  }

  lineage(): LineageStore {
    return new SqlLineageStore(this.backend, () => this.db);
  }

  models(): ModelRegistry {
    return new SqlModelRegistry(this.backend, () => this.db);
  }

  /** Idempotent; concurrent callers share one close. Later calls to other methods throw STORE_CLOSED. */
  close(): Promise<void> {
    this.closing ??= this.backend.destroy();
    return this.closing;
  }

  // ---- helpers ----

  /** Runs a write and turns constraint violations into typed errors that name the record. */
  private async guard(what: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      const kind = this.backend.constraintOf(err);
      if (kind === 'conflict') throw new StoreError('STORE_CONFLICT', `${what} already exists`, { cause: err });
      if (kind === 'missing-parent') {
        // Postgres names the missing key ("Key (sweep_id)=(…) is not present in table …"); SQLite does not.
        const detail = (err as { detail?: unknown }).detail;
        const which = typeof detail === 'string' ? ` (${detail})` : '';
        throw new StoreError(
          'STORE_NOT_FOUND',
          `cannot write ${what}: the record it belongs to does not exist${which}`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /** Applies a patch to exactly one record; a missing record is a caller bug, reported as STORE_NOT_FOUND. */
  private async updateOne(
    what: string,
    set: object,
    update: () => Promise<{ numUpdatedRows: bigint }>,
    exists: () => Promise<unknown>,
  ): Promise<void> {
    // An empty SET is not valid SQL; an empty patch still checks that the record exists.
    const found = Object.keys(set).length === 0 ? (await exists()) !== undefined : (await update()).numUpdatedRows > 0n;
    if (!found) throw new StoreError('STORE_NOT_FOUND', `${what} not found`);
  }

  private toSweep(r: Selectable<SweepsTable>): SweepRecord {
    return {
      id: r.id,
      name: r.name,
      status: r.status as SweepStatus,
      method: r.method,
      metricName: r.metric_name,
      goal: r.goal as Goal,
      config: decodeJson(r.config, this.backend.jsonParsed),
      seed: Number(r.seed),
      createdAt: Number(r.created_at),
      finishedAt: r.finished_at === null ? null : Number(r.finished_at),
      reason: r.reason,
      project: r.project,
    };
  }

  private toTrial(r: Selectable<TrialsTable>): TrialRecord {
    const dropped = decodeJson(r.dropped_points, this.backend.jsonParsed) as DroppedPoints | null;
    const trial: TrialRecord = {
      id: r.id,
      sweepId: r.sweep_id,
      index: r.idx,
      status: r.status as TrialStatus,
      params: decodeJson(r.params, this.backend.jsonParsed) as TrialRecord['params'],
      seed: Number(r.seed),
      command: decodeJson(r.command, this.backend.jsonParsed) as string[] | null,
      createdAt: Number(r.created_at),
      startedAt: r.started_at === null ? null : Number(r.started_at),
      endedAt: r.ended_at === null ? null : Number(r.ended_at),
      exitCode: r.exit_code,
      signal: r.signal,
      reason: r.reason,
      metricValue: decodeNullableFloat(r.metric_value),
      attempts: r.attempts,
    };
    if (dropped && Object.keys(dropped).length > 0) trial.droppedPoints = dropped;
    return trial;
  }
}

/** Rows per multi-row statement: well under SQLite's and Postgres's bound-parameter limits. */
const BATCH_ROWS = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function trialRow(t: TrialRecord) {
  return {
    id: t.id,
    sweep_id: t.sweepId,
    idx: t.index,
    status: t.status,
    params: encodeJson(t.params),
    seed: t.seed,
    command: t.command === null ? null : encodeJson(t.command),
    created_at: t.createdAt,
    started_at: t.startedAt,
    ended_at: t.endedAt,
    exit_code: t.exitCode,
    signal: t.signal,
    reason: t.reason,
    metric_value: encodeNullableFloat(t.metricValue),
    attempts: t.attempts,
    dropped_points: encodeDroppedPoints(t.droppedPoints),
  };
}

/** null when nothing was dropped: the column stays empty for almost every trial. */
function encodeDroppedPoints(dropped: DroppedPoints | undefined): string | null {
  return dropped && Object.keys(dropped).length > 0 ? encodeJson(dropped) : null;
}

/**
 * A non-finite metric_value. SQLite keeps ±Infinity as REAL (9e999 is its literal for +Inf) and NaN as the text
 * 'NaN' (value-codec.ts); Postgres casts the quoted names to float8, where NaN = NaN is true.
 */
function nonFiniteMetric(kind: SqlKind) {
  return kind === 'sqlite'
    ? sql`(metric_value = 'NaN' or metric_value in (9e999, -9e999))`
    : sql`metric_value in ('NaN', 'Infinity', '-Infinity')`;
}

function attemptRow(a: AttemptRecord) {
  return {
    trial_id: a.trialId,
    attempt: a.attempt,
    worker: a.worker,
    status: a.status,
    started_at: a.startedAt,
    ended_at: a.endedAt,
    exit_code: a.exitCode,
    signal: a.signal,
    reason: a.reason,
  };
}

function eventRow(e: EventRecord) {
  return {
    at: e.at,
    sweep_id: e.sweepId,
    trial_id: e.trialId,
    type: e.type,
    actor: e.actor,
    data: e.data === undefined || e.data === null ? null : encodeJson(e.data),
    project: e.project ?? null,
  };
}

function toAttempt(r: Selectable<AttemptsTable>): AttemptRecord {
  return {
    trialId: r.trial_id,
    attempt: r.attempt,
    worker: r.worker,
    status: r.status as TrialStatus,
    startedAt: Number(r.started_at),
    endedAt: r.ended_at === null ? null : Number(r.ended_at),
    exitCode: r.exit_code,
    signal: r.signal,
    reason: r.reason,
  };
}
