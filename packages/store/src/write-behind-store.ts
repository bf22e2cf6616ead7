import { type MetricPoint, TERMINAL_TRIAL_STATUSES } from '@hyperfleet/domain';
import type { EventRecord } from './event-record';
import type { LineageStore, ModelRegistry } from './lineage-store';
import type { ProjectScope } from './project-scope';
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

const attemptKey = (trialId: string, attempt: number) => `${trialId}#${attempt}`;

/**
 * Holds a sweep scheduler's row writes (new and changed trials, attempts, events) in memory until `flush()`
 * saves them with `saveBatch`: one transaction of multi-row statements instead of a commit per call. The
 * sweep runner flushes at the end of each unit of work (a batch of agent reports, a fill) and enqueues the
 * trials it created only after that, so "the store first" still holds while one commit serves dozens of trials.
 *
 * Reads and every other write flush first, so they see the buffered rows; metric reads don't (metric rows are
 * never buffered, and trials with points were flushed before they were enqueued). Only rows created through
 * this wrapper are changed in memory, because only their full state is known; anything else is written through.
 * Use one instance per scheduler: rows changed elsewhere meanwhile would be overwritten by the next flush.
 */
export class WriteBehindStore implements TrackingStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Full rows of unfinished trials and attempts created here (dropped once finished and saved). */
  private readonly trials = new Map<string, TrialRecord>();
  private readonly attempts = new Map<string, AttemptRecord>();
  private dirtyTrials = new Set<string>();
  private dirtyAttempts = new Set<string>();
  private events: EventRecord[] = [];

  constructor(private readonly inner: TrackingStore) {
    this.kind = inner.kind;
  }

  /** Saves everything buffered in one transaction. On failure the rows stay buffered for the next flush. */
  async flush(): Promise<void> {
    if (this.dirtyTrials.size === 0 && this.dirtyAttempts.size === 0 && this.events.length === 0) return;
    const trialIds = this.dirtyTrials;
    const attemptKeys = this.dirtyAttempts;
    const events = this.events;
    this.dirtyTrials = new Set();
    this.dirtyAttempts = new Set();
    this.events = [];
    const batch: StoreBatch = {
      trials: [...trialIds].map((id) => this.trials.get(id)).filter((t) => t !== undefined),
      attempts: [...attemptKeys].map((k) => this.attempts.get(k)).filter((a) => a !== undefined),
      events,
    };
    try {
      await this.inner.saveBatch(batch);
    } catch (err) {
      for (const id of trialIds) this.dirtyTrials.add(id);
      for (const k of attemptKeys) this.dirtyAttempts.add(k);
      this.events = [...events, ...this.events];
      throw err;
    }
    for (const t of batch.trials) if (TERMINAL_TRIAL_STATUSES.includes(t.status)) this.trials.delete(t.id);
    for (const a of batch.attempts) if (a.endedAt !== null) this.attempts.delete(attemptKey(a.trialId, a.attempt));
  }

  // ---- buffered ----

  async createTrial(trial: TrialRecord): Promise<void> {
    if (this.trials.has(trial.id)) {
      await this.flush();
      return this.inner.createTrial(trial); // the inner store reports the conflict
    }
    this.trials.set(trial.id, { ...trial });
    this.dirtyTrials.add(trial.id);
  }

  async updateTrial(id: string, patch: TrialPatch): Promise<void> {
    const known = this.trials.get(id);
    if (!known) {
      await this.flush();
      return this.inner.updateTrial(id, patch);
    }
    this.trials.set(id, withDefined(known, patch));
    this.dirtyTrials.add(id);
  }

  async startAttempt(attempt: AttemptRecord): Promise<void> {
    const key = attemptKey(attempt.trialId, attempt.attempt);
    const trial = this.trials.get(attempt.trialId);
    if (!trial || this.attempts.has(key)) {
      await this.flush();
      return this.inner.startAttempt(attempt);
    }
    this.attempts.set(key, { ...attempt });
    this.dirtyAttempts.add(key);
    // As the SQL stores do: the trial's counter follows the highest attempt started.
    if (trial.attempts < attempt.attempt) {
      this.trials.set(trial.id, { ...trial, attempts: attempt.attempt });
      this.dirtyTrials.add(trial.id);
    }
  }

  async finishAttempt(
    trialId: string,
    attempt: number,
    patch: Partial<Omit<AttemptRecord, 'trialId' | 'attempt'>>,
  ): Promise<void> {
    const key = attemptKey(trialId, attempt);
    const known = this.attempts.get(key);
    if (!known) {
      await this.flush();
      return this.inner.finishAttempt(trialId, attempt, patch);
    }
    this.attempts.set(key, withDefined(known, patch));
    this.dirtyAttempts.add(key);
  }

  async appendEvent(event: EventRecord): Promise<void> {
    this.events.push(event);
  }

  async saveBatch(batch: StoreBatch): Promise<void> {
    await this.flush();
    return this.inner.saveBatch(batch);
  }

  /** Flushes first, so a reader never sees a trial's points before the state its reports gave it (running). */
  async writeMetrics(points: MetricPoint[]): Promise<void> {
    await this.flush();
    return this.inner.writeMetrics(points);
  }

  // ---- metric tables: never buffered, no flush needed ----

  getMetricHistory(trialId: string, key: string, opts?: MetricHistoryOptions): Promise<MetricPoint[]> {
    return this.inner.getMetricHistory(trialId, key, opts);
  }

  getMetricSeries(trialId: string, key: string): Promise<MetricSeries> {
    return this.inner.getMetricSeries(trialId, key);
  }

  getSummaries(trialId: string) {
    return this.inner.getSummaries(trialId);
  }

  archiveAttemptMetrics(trialId: string, attempt: number): Promise<void> {
    return this.inner.archiveAttemptMetrics(trialId, attempt);
  }

  listArchivedMetrics(trialId: string): Promise<(MetricPoint & { attempt: number })[]> {
    return this.inner.listArchivedMetrics(trialId);
  }

  // ---- everything else: flush, then the inner store ----

  async createSweep(sweep: NewSweepRecord): Promise<void> {
    await this.flush();
    return this.inner.createSweep(sweep);
  }

  async getSweep(id: string): Promise<SweepRecord | null> {
    await this.flush();
    return this.inner.getSweep(id);
  }

  async listSweeps(opts?: { limit?: number } & ProjectScope): Promise<SweepRecord[]> {
    await this.flush();
    return this.inner.listSweeps(opts);
  }

  async findSweepsByIdPrefix(prefix: string, limit: number, scope?: ProjectScope): Promise<SweepRecord[]> {
    await this.flush();
    return this.inner.findSweepsByIdPrefix(prefix, limit, scope);
  }

  async updateSweep(id: string, patch: SweepPatch): Promise<void> {
    await this.flush();
    return this.inner.updateSweep(id, patch);
  }

  async getTrial(id: string): Promise<TrialRecord | null> {
    await this.flush();
    return this.inner.getTrial(id);
  }

  async listTrials(sweepId: string, opts?: ListTrialsOptions): Promise<TrialRecord[]> {
    await this.flush();
    return this.inner.listTrials(sweepId, opts);
  }

  async countTrials(sweepId: string) {
    await this.flush();
    return this.inner.countTrials(sweepId);
  }

  async listAttempts(trialId: string): Promise<AttemptRecord[]> {
    await this.flush();
    return this.inner.listAttempts(trialId);
  }

  async addArtifact(artifact: ArtifactRecord): Promise<void> {
    await this.flush();
    return this.inner.addArtifact(artifact);
  }

  async listArtifacts(trialId: string): Promise<ArtifactRecord[]> {
    await this.flush();
    return this.inner.listArtifacts(trialId);
  }

  async listEvents(filter: EventFilter): Promise<EventRecord[]> {
    await this.flush();
    return this.inner.listEvents(filter);
  }

  async listAudit(filter?: AuditFilter): Promise<EventRecord[]> {
    await this.flush();
    return this.inner.listAudit(filter);
  }

  tokens(): TokenStore {
    return this.inner.tokens();
  }

  serverSecret(name: string, fresh: string): Promise<string> {
    return this.inner.serverSecret(name, fresh);
  }

  /** Lineage and registry rows reference trials that were flushed before they were enqueued. */
  lineage(): LineageStore {
    return this.inner.lineage();
  }

  models(): ModelRegistry {
    return this.inner.models();
  }

  /** Saves what is buffered; the inner store stays open (its owner closes it). */
  close(): Promise<void> {
    return this.flush();
  }
}

/** A copy of `record` with the patch's set keys: `undefined` means "leave as is", as in the SQL stores. */
function withDefined<T extends object>(record: T, patch: NoInfer<Partial<T>>): T {
  const merged = { ...record };
  // A plain loop: this runs for every trial and attempt update, and entries/fromEntries allocate per key.
  for (const key in patch) {
    const value = patch[key];
    if (value !== undefined) merged[key] = value as T[typeof key];
  }
  return merged;
}
