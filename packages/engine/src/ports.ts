import type {
  AttemptEnd,
  EarlyTerminateConfig,
  Goal,
  MetricPoint,
  Params,
  SearchMethod,
  SearchSpace,
} from '@hyperfleet/domain';
import type { TrackingStore, TrialRecord } from '@hyperfleet/store';

/**
 * What the fleet's agents say they are running (their heartbeats). Absent in embedded mode, where the queue
 * cannot lose a job. `undefined`: it cannot tell yet (just started, or the agents' records are unreadable).
 */
export interface AgentPresence {
  runs(trialId: string, attempt: number): boolean | undefined;
  /** The pool the agent serves, as its last heartbeat said; undefined when not known (yet). */
  poolOf?(agentId: string): string | undefined;
}

/** Injected time source: the scheduler never reads the wall clock itself. */
export interface Clock {
  now(): number;
}

/** What the scheduler needs to know about a sweep; built from the validated config by the caller. */
export interface SweepPlan {
  id: string;
  name: string | null;
  method: SearchMethod;
  /** null when the config has no metric: trials are still run and recorded, just not ranked. */
  metric: { name: string; goal: Goal; target?: number } | null;
  space: SearchSpace;
  parallel: number;
  /** Max trials to create; undefined = until the strategy is exhausted (random never is, so set one). */
  runCap?: number;
  /** Automatic re-runs of a trial whose attempt was lost to infrastructure (worker died, pod evicted). */
  retries: number;
  seed: number;
  strategyOptions?: { shuffle?: boolean; withoutReplacement?: boolean };
  /** The sweep's `early_terminate` rule, judged on every metric report (needs `metric`). */
  earlyTerminate?: EarlyTerminateConfig;
  /** The validated config, stored verbatim with the sweep. */
  config: unknown;
  /** Renders the argv for a trial's params. */
  command(params: Params, trial: { id: string; index: number; seed: number }): string[];
}

/** One attempt of a trial handed to whatever runs trials (a local pool, a queue). */
export interface TrialDispatch {
  trial: TrialRecord;
  attempt: number;
  /** Found unfinished in the store when the sweep was recovered: its job may still be queued or running. */
  recovered?: boolean;
}

/** Port to the thing that runs trials. Results come back through the scheduler's `report*` methods. */
export interface Dispatcher {
  dispatch(job: TrialDispatch): Promise<void>;
  /** Ask a running or queued trial to stop; it reports back with outcome 'stopped'. */
  stop(trialId: string): Promise<void>;
}

/** An attempt's end, as the engine receives it (from a transport report or the local runner). */
export interface AttemptReport extends AttemptEnd {
  trialId: string;
  attempt: number;
  worker?: string | null;
  /** Lost before any agent took its job (Redis lost the queue): it ran nothing, so it is no attempt to record or count. */
  neverTaken?: boolean;
}

export interface SchedulerDeps {
  store: TrackingStore;
  dispatcher: Dispatcher;
  clock: Clock;
  /** Trips the breaker when the first `breakerThreshold` finished trials all failed the same way. Default 3. */
  breakerThreshold?: number;
  /**
   * At most this many trials are created and not yet saved (default: all that fit in `parallel`). The caller
   * saves and dispatches each chunk, says so with `chunkSaved(createdCount)`, then asks for the next with
   * `fillMore()`: the first trials of a large sweep run while the rest are still being written, and no save or
   * bulk enqueue grows with the sweep.
   */
  fillChunk?: number;
}

export type { MetricPoint };
