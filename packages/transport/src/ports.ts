import type { AttemptEnd, MetricSample, Params, TrialEnvSpec } from '@hyperfleet/domain';
import type { EnvFingerprint } from '@hyperfleet/lineage';
import type { MetricsCollection, TrialPins } from '@hyperfleet/runner';
import type { LostAttempt } from './lost-attempt';

/**
 * One attempt of one trial, as an agent receives it. Self-contained: an agent never reads the store.
 * Queue job id = `${trialId}.a${attempt}` (see `jobIdOf`), so enqueueing the same attempt twice is a no-op.
 */
export interface TrialJob {
  sweepId: string;
  trialId: string;
  attempt: number;
  /** Agents of this pool take the job ('default' when the sweep names none). */
  pool: string;
  argv: string[];
  params: Params;
  seed: number;
  /** Working directory on the agent (until code pinning ships code, the submitter's directory). */
  cwd: string;
  /** The sweep's `env:`: literals, and secrets by name only (the agent that runs the attempt resolves them). */
  env?: TrialEnvSpec;
  resources?: { cpus?: number; gpus?: number; memory?: string };
  timeoutMs?: number;
  metrics?: MetricsCollection;
  /** Milliseconds between SIGTERM and SIGKILL when the trial is stopped. */
  killGraceMs?: number;
  /** The code and data pinned at submit: the agent materializes them and runs the trial there, not in `cwd`. */
  pins?: JobPins;
  /** The sweep's container image (`image:`), for executors that run attempts in containers (Kubernetes). */
  image?: string;
}

/** What an agent needs to rebuild the submitter's tree; blobs are fetched from the controller by hash. */
export interface JobPins extends TrialPins {
  /** Blob hash of a `git bundle` holding the commit (not pushed anywhere the agents can reach); null otherwise. */
  bundle: string | null;
  /** The submitter's data remote (a directory or s3:// URL, no credentials); `$HYPERFLEET_DATA_REMOTE` wins. */
  dataRemote: string | null;
}

export function jobIdOf(trialId: string, attempt: number): string {
  return `${trialId}.a${attempt}`;
}

/** How an attempt ended, as the agent saw it (the engine's AttemptReport adds the trial and attempt). */
export type FinishedReport = AttemptEnd;

/** What agents tell the controller about a sweep's trials, in order, on one stream per sweep. */
export type AgentReport =
  | {
      type: 'started';
      trialId: string;
      attempt: number;
      agentId: string;
      at: number;
      /** The worker's environment, for a pinned trial (recorded in its lineage). */
      env?: EnvFingerprint;
    }
  | { type: 'metrics'; trialId: string; attempt: number; points: MetricSample[] }
  | { type: 'finished'; trialId: string; attempt: number; agentId: string; at: number; result: FinishedReport };

export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'missing';

export interface Closeable {
  /** Idempotent, bounded in time, runs every cleanup even if one throws. */
  close(): Promise<void>;
}

/** Controller side of the trial queue (one queue per pool). */
export interface TrialQueue extends Closeable {
  /** Idempotent per (trialId, attempt). */
  enqueue(job: TrialJob): Promise<void>;
  /** Several jobs in one round trip (BullMQ `addBulk`); idempotent per job, like `enqueue`. */
  enqueueMany(jobs: readonly TrialJob[]): Promise<void>;
  /** Removes a job that no agent has taken yet; false when it is already active or gone. */
  cancel(pool: string, trialId: string, attempt: number): Promise<boolean>;
  state(pool: string, trialId: string, attempt: number): Promise<{ state: JobState; failedReason?: string }>;
  depth(pool: string): Promise<{ waiting: number; active: number }>;
  /**
   * Calls `onLost` when an active job's agent vanished (BullMQ's stalled-job check: the lock expired),
   * so the scheduler can run the trial again as the next attempt. At-least-once: handlers must be idempotent.
   * Also fires when a handler gave the attempt back (`LostAttemptError`) or threw (`cause` says which);
   * `state()` keeps the same `failedReason` for a controller that was down at that moment.
   */
  watchLost(onLost: (job: LostAttempt) => void): Closeable;
}

export interface ConsumeOptions {
  pool: string;
  concurrency: number;
  /** Unique per agent; shows in job records. */
  agentId: string;
}

/** Agent side of the trial queue. The handler resolves when the attempt is finished and reported. */
export interface TrialConsumer {
  consume(opts: ConsumeOptions, handler: (job: TrialJob) => Promise<void>): ConsumerHandle;
}

export interface ConsumerHandle extends Closeable {
  /** Stop taking new jobs; running handlers continue. Resolves when they have all finished. */
  drain(): Promise<void>;
}

/** Agent → controller reports, one ordered stream per sweep, consumed by a consumer group (at-least-once). */
export interface ReportStream extends Closeable {
  publish(sweepId: string, reports: AgentReport[]): Promise<void>;
  /**
   * Delivers batches in stream order; a batch is acknowledged only after `handler` resolves. One subscriber
   * per sweep at a time (the sweep's owner): a new one first takes over the batches earlier subscribers
   * received and never acknowledged (they died mid-batch), before anything newer.
   */
  subscribe(sweepId: string, consumer: string, handler: ReportHandler): Closeable;
}

/**
 * A batch of reports; `senders[i]` is who signed `reports[i]` (an agent id, or CONTROLLER_SENDER), given only
 * by a stream that verifies signatures (see report-signing.ts). Without it, the reports are not authenticated.
 */
export type ReportHandler = (reports: AgentReport[], senders?: readonly string[]) => Promise<void>;

/** Controller → agent stop requests: a key the agent can re-check plus a pub/sub nudge for speed. */
export interface ControlChannel extends Closeable {
  requestStop(trialId: string): Promise<void>;
  isStopRequested(trialId: string): Promise<boolean>;
  /**
   * The handler hears, for any trial, the stop requests in force when it subscribes (again after each
   * reconnect) and then every new one. A trial may be heard more than once.
   */
  onStop(handler: (trialId: string) => void): StopSubscription;
}

export interface StopSubscription extends Closeable {
  /**
   * Since when (ms, this machine's clock) the handler has heard every stop request in force; null until the
   * first load of those is done and while the connection is down (requests made meanwhile may be missed).
   */
  listeningSince(): number | null;
}

/** Live trial output for `hyperfleet logs -f`: bounded per trial. */
export interface LogStream extends Closeable {
  append(trialId: string, chunk: string): Promise<void>;
  /** Chunks after `cursor` ('0' = from the start); waits up to `blockMs` for new ones when none are there. */
  read(trialId: string, cursor: string, blockMs?: number): Promise<{ chunks: string[]; cursor: string }>;
}

/** Everything one side needs, from one factory (Redis in fleet mode, in-process in embedded mode). */
export interface Transport extends Closeable {
  queue: TrialQueue;
  consumer: TrialConsumer;
  reports: ReportStream;
  control: ControlChannel;
  logs: LogStream;
}
