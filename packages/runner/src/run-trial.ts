import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { LineSplitter } from './line-splitter';
import { DEFAULT_LOG_MAX_BYTES, LogSink } from './log-sink';
import { MetricSources } from './metric-sources';
import { MetricsAccumulator } from './metrics-accumulator';
import { MetricsFileParser } from './metrics-file-line';
import { MetricsFileTailer } from './metrics-file-tailer';
import { GroupTerminator, hasExited } from './process-group';
import { compileMetricsRegex } from './regex-metrics';
import { describeSpawnError } from './spawn-error';
import { StdoutMetricsParser } from './stdout-metrics';
import { buildTrialEnv, prepareTrialDir, trialPaths } from './trial-env';
import type { RunTrialOptions, TrialResult } from './types';

const DEFAULT_KILL_GRACE_MS = 10_000;
// Pipes close when the last holder exits; a process that left the group (setsid) could hold them forever.
const PIPE_CLOSE_TIMEOUT_MS = 2_000;

type StopReason = 'stopped' | 'timeout';

/**
 * Runs one trial to completion and reports how it ended. Never rejects: a program that cannot start is a
 * `spawn-error` outcome with the OS error text. Resolves only after the process group is gone, output.log
 * is flushed and the metrics file has been read to the end.
 */
export async function runTrial(opts: RunTrialOptions): Promise<TrialResult> {
  const paths = trialPaths(opts.trialDir);
  const accumulator = new MetricsAccumulator(opts.onMetrics);
  const result = (fields: Partial<TrialResult> & Pick<TrialResult, 'outcome'>): TrialResult => ({
    exitCode: null,
    signal: null,
    durationMs: 0,
    finalMetrics: accumulator.finalMetrics(),
    malformedLines: accumulator.malformedLines,
    error: null,
    logPath: paths.logPath,
    ...fields,
  });

  // Everything that can go wrong before the process exists is reported like a spawn error.
  let regex: RegExp | undefined;
  let sink: LogSink;
  try {
    if (opts.metrics?.regex !== undefined) regex = compileMetricsRegex(opts.metrics.regex);
    await prepareTrialDir(opts, paths);
    sink = await LogSink.open(paths.logPath, opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES, opts.onOutput);
  } catch (error) {
    return result({ outcome: 'spawn-error', error: `cannot prepare trial: ${(error as Error).message}` });
  }
  const preflight = await checkStartable(opts);
  if (preflight) {
    sink.notice(preflight);
    await sink.close();
    return result({ outcome: 'spawn-error', error: preflight });
  }
  if (opts.signal?.aborted) {
    sink.notice('stopped before start');
    await sink.close();
    return result({ outcome: 'stopped' });
  }

  const started = performance.now();
  const spawned = await spawnTrial(opts, buildTrialEnv(opts, paths));
  if ('error' in spawned) {
    sink.notice(spawned.error);
    await sink.close();
    return result({ outcome: 'spawn-error', error: spawned.error });
  }
  const child = spawned.child;
  const pid = child.pid as number;

  // One source per metric: the SDK file, stdout, or both when the config asks (see MetricSources).
  const sources = new MetricSources(accumulator, {
    sources: opts.metrics?.sources,
    sdkFileHasData: () => fileHasData(paths.metricsPath),
    notice: (message) => sink.notice(message),
  });

  // Metrics from the file the SDKs write.
  const fileParser = new MetricsFileParser();
  const tailer = new MetricsFileTailer(paths.metricsPath, (lines) =>
    sources.fromSdk(fileParser.parseLines(lines, Date.now())),
  );
  if (sources.sdkOn) tailer.start();

  // Metrics from stdout, one batch per chunk; both streams go to the log.
  const stdoutParser = new StdoutMetricsParser({ builtin: opts.metrics?.stdout !== false, regex });
  const splitter = new LineSplitter();
  const stdout = child.stdout as Readable;
  const stderr = child.stderr as Readable;
  pipeToLog([stdout, stderr], sink);
  stdout.on('data', (chunk: Buffer) => {
    const lines = splitter.push(chunk);
    if (lines.length > 0) sources.fromStdout(stdoutParser.parseLines(lines, Date.now()));
  });
  const pipesClosed = Promise.all([streamClosed(stdout), streamClosed(stderr)]);

  // Stop requests: abort signal and timeout both terminate the whole group.
  const terminator = new GroupTerminator(pid, { graceMs: opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS });
  let stopReason: StopReason | null = null;
  let exited = false;
  const stop = (reason: StopReason, message: string) => {
    // A program that already exited (Node has not said so yet) ended by itself: the stop came too late to
    // change that, and its result must not be reported as stopped.
    if (stopReason || exited || hasExited(pid)) return;
    stopReason = reason;
    sink.notice(message);
    void terminator.terminate();
  };
  const onAbort = () => stop('stopped', 'stop requested: SIGTERM to the process group');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort(); // aborted while spawning
  const timer =
    opts.timeoutMs === undefined
      ? null
      : setTimeout(
          () => stop('timeout', `timed out after ${opts.timeoutMs} ms: SIGTERM to the process group`),
          opts.timeoutMs,
        );

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  exited = true;
  const durationMs = performance.now() - started;
  if (timer) clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);

  // The trial is over: whatever it left running in its group goes too (and is waited for).
  await terminator.terminate();
  await withTimeout(pipesClosed, PIPE_CLOSE_TIMEOUT_MS);
  stdout.destroy();
  stderr.destroy();
  const last = splitter.end();
  if (last) sources.fromStdout(stdoutParser.parseLines([last], Date.now()));
  if (sources.sdkOn) await tailer.stop();
  sources.end(); // after the file was read to the end: its last lines may still decide the source
  accumulator.addMalformed(
    (sources.stdoutOn ? splitter.overlongLines : 0) + (sources.sdkOn ? tailer.overlongLines : 0),
  );
  if (exit.signal) sink.notice(`process ended by ${exit.signal}`);
  await sink.close();

  const errors: string[] = [];
  if (stopReason === 'timeout') errors.push(`timed out after ${opts.timeoutMs} ms`);
  if (accumulator.callbackError) errors.push(`onMetrics threw: ${accumulator.callbackError.message}`);
  if (sink.error) errors.push(`writing output.log failed: ${sink.error.message}`);
  return result({
    outcome: stopReason ?? 'exited',
    exitCode: exit.code,
    signal: exit.signal,
    durationMs,
    error: errors.length > 0 ? errors.join('; ') : null,
  });
}

/** Problems spawn would report misleadingly (a missing cwd shows up as "spawn <program> ENOENT"). */
async function checkStartable(opts: RunTrialOptions): Promise<string | null> {
  if (opts.argv.length === 0 || !opts.argv[0]) return 'argv is empty — check `program`/`command` in the sweep config';
  const cwd = await stat(opts.cwd).catch((error: NodeJS.ErrnoException) => error);
  if (cwd instanceof Error) return `working directory ${opts.cwd} is not usable: ${cwd.message}`;
  if (!cwd.isDirectory()) return `working directory ${opts.cwd} is not a directory`;
  return null;
}

/** Spawns without a shell in a new process group with stdin closed; waits for 'spawn' or 'error'. */
function spawnTrial(
  opts: RunTrialOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess } | { error: string }> {
  let child: ChildProcess;
  try {
    child = spawn(opts.argv[0] as string, opts.argv.slice(1), {
      cwd: opts.cwd,
      env,
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (error) {
    // e.g. a NUL byte in an argument: thrown synchronously.
    return Promise.resolve({ error: describeSpawnError(error) });
  }
  return new Promise((resolve) => {
    child.once('spawn', () => resolve({ child }));
    child.once('error', (error) => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ error: describeSpawnError(error) });
    });
  });
}

/** Both streams into one log, pausing them when the file write falls behind (bounded memory). */
function pipeToLog(streams: Readable[], sink: LogSink): void {
  let waiting = false;
  for (const stream of streams) {
    stream.on('data', (chunk: Buffer) => {
      if (sink.write(chunk) || waiting) return;
      waiting = true;
      for (const s of streams) s.pause();
      sink.onDrain(() => {
        waiting = false;
        for (const s of streams) s.resume();
      });
    });
  }
}

function fileHasData(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

function streamClosed(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed || stream.destroyed) return resolve();
    stream.once('close', () => resolve());
  });
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
