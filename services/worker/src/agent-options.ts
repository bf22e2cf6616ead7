import { randomBytes } from 'node:crypto';
import type { AgentLogger, AgentTransport, AttemptExecutor, BatchOptions, RunTrial } from '@hyperfleet/agent-core';
import { AGENT_ERROR_CODES, AgentError } from './agent-error';
import type { Registration } from './controller-client';
import type { BreakerOptions } from './failure-breaker';

export type {
  AgentLogger,
  AgentLogLevel,
  AgentTransport,
  AttemptExecutor,
  AttemptResult,
} from '@hyperfleet/agent-core';

/** Builds the transport from what the controller said at registration (Redis URL, queue prefix). */
export type TransportFactory = (registration: Registration) => AgentTransport | Promise<AgentTransport>;

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
  /**
   * Secret names a sweep's `env: {VAR: {secret: NAME}}` may ask for; their values are read from this
   * process's environment for each trial that names them. Default none (`--allow-secret`).
   */
  allowSecrets?: string[];
  /** Runs one attempt; default the runner's process spawn. Injectable so benchmarks can run no-op trials. */
  runTrial?: RunTrial;
  /** Runs attempts elsewhere instead of `runTrial` (see AttemptExecutor). */
  executor?: AttemptExecutor;
  host?: string;
  version?: string;
}

/** Why the agent stopped: its `done` promise resolves with this. */
export interface AgentExit {
  reason: 'count' | 'idle' | 'drained' | 'closed';
  /** Attempts this agent finished (any outcome). */
  trialsRun: number;
}

/** Refuses a missing token and contradictory or unsafe options before anything starts. */
export function validateAgentOptions(opts: AgentOptions): void {
  const bad = (message: string) => new AgentError(AGENT_ERROR_CODES.badOptions, message);
  if (!opts.token) {
    throw new AgentError(AGENT_ERROR_CODES.badOptions, 'no token: pass --token or set HYPERFLEET_TOKEN', {
      hint: 'ask the server admin for a token with role worker',
    });
  }
  if (opts.gpus !== undefined && opts.slots !== undefined) {
    throw bad('use --slots (CPU slots) or --gpus (one slot per GPU), not both');
  }
  if (opts.slots !== undefined && (!Number.isInteger(opts.slots) || opts.slots < 1)) throw bad('--slots must be ≥ 1');
  if (opts.count !== undefined && (!Number.isInteger(opts.count) || opts.count < 1)) throw bad('--count must be ≥ 1');
  // Both end up in Redis keys and URLs.
  const safe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
  if (opts.pool !== undefined && !safe.test(opts.pool)) {
    throw bad(`--pool "${opts.pool}" must be letters, digits, ".", "_" or "-"`);
  }
  if (opts.agentId !== undefined && !safe.test(opts.agentId)) {
    throw bad(`--agent-id "${opts.agentId}" must be letters, digits, ".", "_" or "-"`);
  }
}

/** `<hostname>-<6 hex>`, made safe for Redis keys and URLs. */
export function defaultAgentId(host: string): string {
  const safe = host.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'agent';
  return `${safe}-${randomBytes(3).toString('hex')}`;
}
