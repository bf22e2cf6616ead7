/** Append-only audit/event log entry. */
export interface EventRecord {
  id?: number;
  at: number;
  sweepId: string | null;
  trialId: string | null;
  type: string; // 'sweep.created', 'trial.started', 'trial.failed', 'breaker.tripped', ...
  actor: string | null;
  data: unknown;
}
