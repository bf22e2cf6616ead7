import type { AttemptEnd, MetricSample, MetricSource, Params, ProcessOutcome } from '@hyperfleet/domain';

export interface MetricsCollection {
  /** Parse `name=value` pairs (Katib style) and JSON-object lines from stdout. Default true. */
  stdout?: boolean;
  /** Optional regex with named groups `name` and `value` (or two unnamed groups), applied to stdout lines. */
  regex?: string;
  /**
   * Which sources count (see MetricSources). Omitted: the SDK's metrics file is the source of truth and stdout
   * is read only until the file has its first metrics line.
   */
  sources?: MetricSource[];
}

export interface RunTrialOptions {
  sweepId: string;
  trialId: string;
  /** Full argv; argv[0] is the executable. Never run through a shell. */
  argv: string[];
  cwd: string;
  /**
   * The sweep's variables (literals and secrets already resolved), on top of the allowlisted variables the
   * trial inherits (inherited-env.ts); HYPERFLEET_* are added by the runner and win.
   */
  env?: Record<string, string>;
  /** Where the inherited allowlist is read from. Default process.env (a pod's wrapper passes its own copy). */
  inheritFrom?: NodeJS.ProcessEnv;
  params: Params;
  seed: number;
  /** Directory for this trial's files: log, metrics JSONL, params file, outputs/ (created if missing). */
  trialDir: string;
  timeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL. Default 10_000. */
  killGraceMs?: number;
  /** Cap for the stdout+stderr log file in bytes. Default 50 MiB. */
  logMaxBytes?: number;
  metrics?: MetricsCollection;
  /**
   * Called with every chunk written to output.log (stdout+stderr and the runner's notices, capped like the
   * file), as it is written: a live copy without following the file.
   */
  onOutput?: (chunk: Buffer) => void;
  /** Called with batches of parsed points, in order, as they arrive. */
  onMetrics?: (points: MetricSample[]) => void;
  /** Abort = stop the trial (SIGTERM to the process group, SIGKILL after killGraceMs). */
  signal?: AbortSignal;
  /** The slot's GPUs, as CUDA_VISIBLE_DEVICES ([] hides every GPU); undefined leaves the inherited value. */
  gpus?: string[];
}

/** How the process run ended: never `lost` (only an agent or executor can tell that the infrastructure failed). */
export interface TrialResult extends Omit<AttemptEnd, 'outcome' | 'signal'> {
  outcome: ProcessOutcome;
  signal: NodeJS.Signals | null;
  logPath: string;
}

/**
 * Metrics file contract (HYPERFLEET_METRICS_FILE, written by the SDKs): JSON Lines, one object per `log()` call:
 *   {"step": 3, "ts": 1732700000000, "metrics": {"val_acc": 0.93, "loss": 0.21}}
 * `step` is optional (defaults to the previous step + 1 for that file), `ts` is optional (ms since epoch).
 * Non-finite values are written as the strings "NaN", "Infinity", "-Infinity"; the reader also accepts
 * Python's bare NaN / Infinity / -Infinity tokens. A line that does not parse is counted as malformed and skipped.
 */
export type MetricsFileLine = { step?: number; ts?: number; metrics: Record<string, number | string> };

/**
 * What one line of stdout or of the metrics file means. `ignored`: not a metrics line (plain log output, a
 * blank line). `malformed`: looked like metrics but did not parse — counted and skipped. `step`/`timestamp`
 * are present only when the line carried them; the collector fills in the defaults.
 */
export type LineParse =
  | { kind: 'ignored' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'metrics'; step?: number; timestamp?: number; entries: Array<[key: string, value: number]> };
