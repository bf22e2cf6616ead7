/** Append-only audit/event log entry. */
export interface EventRecord {
  id?: number;
  at: number;
  sweepId: string | null;
  trialId: string | null;
  type: string; // 'sweep.created', 'trial.started', 'trial.failed', 'breaker.tripped', ...
  actor: string | null;
  data: unknown;
  /** For events about no sweep (models, tokens, agents); a sweep's events are in its project. */
  project?: string | null;
}
