import type { RunTrialOptions, TrialResult } from '@hyperfleet/runner';
import type {
  Closeable,
  ControlChannel,
  LogStream,
  ReportStream,
  TrialConsumer,
  TrialJob,
} from '@hyperfleet/transport';
import type { Registration } from './controller-client';
import type { BreakerOptions } from './failure-breaker';
import type { LocalAgentMode } from './local-agent';
import type { BatchOptions } from './trial-reporter';

/** The parts of a Transport an agent uses. */
export interface AgentTransport extends Closeable {
  consumer: TrialConsumer;
  reports: ReportStream;
  control: ControlChannel;
  logs: LogStream;
}

/** Builds the transport from what the controller said at registration (Redis URL, queue prefix). */
export type TransportFactory = (registration: Registration) => AgentTransport | Promise<AgentTransport>;

/** How an attempt ended; an executor may also end it `lost` (an infrastructure failure: the scheduler retries it). */
export type AttemptResult = Omit<TrialResult, 'outcome'> & { outcome: TrialResult['outcome'] | 'lost' };

/**
 * Runs attempts somewhere other than this machine (the Kubernetes executor: one Job per attempt). The agent
 * then neither materializes the pins (the pod does) nor checks GPU slots (the Job requests the GPUs); it
 * still reports `started`/`finished` and tails `<trialDir>/output.log` into the live log.
 */
export interface AttemptExecutor {
  runAttempt(job: TrialJob, opts: RunTrialOptions): Promise<AttemptResult>;
}

export type AgentLogLevel = 'info' | 'warn' | 'error';
export type AgentLogger = (level: AgentLogLevel, message: string) => void;

export interface AgentOptions {
  /** Controller base URL, e.g. http://host:7070. */
  serverUrl: string;
  /** Bearer token with role `worker`. Never logged. */
  token: string;
  transportFactory: TransportFactory;
  /** Queue this agent takes trials from. Default 'default'. */
  pool?: string;
  /** CPU slots (trials at once). Default 1. Not with `gpus`. */
  slots?: number;
  /** 'all' or a list like '0,2': one slot per GPU, CUDA_VISIBLE_DEVICES set per trial. */
  gpus?: string;
  /** Default `<hostname>-<random>`; the controller may assign another at registration. */
  agentId?: string;
  /** Trial directories go to `<workDir>/<sweepId>/<trialId>.a<attempt>/`. Default ./.hyperfleet/agent-runs. */
  workDir?: string;
  /** Take N trials, then exit once they finished. */
  count?: number;
  /** Exit after this long with nothing running and nothing taken. */
  exitWhenIdleMs?: number;
  /** On drain, how long running trials may take before they are stopped and handed back. Default 60_000. */
  drainTimeoutMs?: number;
  breaker?: Partial<BreakerOptions>;
  batch?: Partial<BatchOptions>;
  /** Period of the stop-key re-check. Default 500 ms (a stop is honoured within a second). */
  stopCheckMs?: number;
  /** Period of the GPU use sample. Default 5000 ms. */
  gpuSampleMs?: number;
  /** How long start() keeps retrying an unreachable server. Default 60_000 ms. */
  startupRetryMs?: number;
  /** nvidia-smi executable (looked up on PATH). */
  nvidiaSmi?: string;
  /** Bound for close() waiting on stopped trials (beyond their kill grace). Default 15_000 ms. */
  closeTimeoutMs?: number;
  logger?: AgentLogger;
  /** Runs one attempt; default the runner's process spawn. Injectable so benchmarks can run no-op trials. */
  runTrial?: (opts: RunTrialOptions) => Promise<TrialResult>;
  /** Runs attempts elsewhere instead of `runTrial` (see AttemptExecutor). */
  executor?: AttemptExecutor;
  host?: string;
  version?: string;
  /** Embedded mode: in-process, no registration or heartbeats (see LocalAgentMode; use createLocalAgent). */
  local?: LocalAgentMode;
}

/** Why the agent stopped: its `done` promise resolves with this. */
export interface AgentExit {
  reason: 'count' | 'idle' | 'drained' | 'closed';
  /** Attempts this agent finished (any outcome). */
  trialsRun: number;
}
