import type { EventEmitter } from 'node:events';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import {
  ALLOWED_SECRETS_ENV,
  DEFAULT_BATCH,
  describeWorkspaceError,
  openPinnedWorkspace,
  type PinnedWorkspace,
  parseSecretNames,
  parseTrialJob,
  resolveTrialEnv,
  TrialReporter,
} from '@hyperfleet/agent-core';
import { runTrial, type TrialResult } from '@hyperfleet/runner';
import { createRedisTransport, jobIdOf, type ReportStream } from '@hyperfleet/transport';
import { ControllerClient } from '../controller-client';
import { REPORT_KEY_ENV, TRIAL_JOB_ENV } from './job-manifest';
import { kubernetesSecretPolicy } from './secret-env';
import { encodeTerminationMessage, type TerminationMessage } from './termination-message';

export interface ExecTrialOptions {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where pinned code, data and the trial's files go. Default the current directory (the pod's /work). */
  workDir?: string;
  /** Default $HYPERFLEET_TERMINATION_LOG, else /dev/termination-log (the container's terminationMessagePath). */
  terminationLog?: string;
  /** The trial's output is echoed here, so the pod log is the trial log. Default process.stdout. */
  stdout?: NodeJS.WritableStream;
  /** SIGTERM (the Job deleted, the pod preempted) stops the trial. Default process. */
  signals?: EventEmitter;
  /** Default: the Redis report stream at $HYPERFLEET_REDIS_URL / $HYPERFLEET_PREFIX. */
  reports?: ReportStream;
}

/**
 * `hyperfleet agent exec-trial`: the entry of a trial pod created by the Kubernetes executor. Runs the attempt
 * in `$HYPERFLEET_TRIAL_JOB` through the same runner as an agent — pinned code and data materialized here
 * (blobs fetched from the controller with `$HYPERFLEET_TOKEN`), the same trial environment and metric
 * collection — and publishes the metric points straight to the sweep's report stream in Redis; the agent
 * that created the Job publishes `started` and `finished`, and never the points (nothing is reported twice).
 * A pinned trial's pod also sends a `started` with this container's environment fingerprint, ahead of its
 * points: the controller records it in the trial's lineage (the attempt had started already).
 * Its result goes into the termination message, for the executor to read from the pod status; the exit code
 * mirrors the trial's, so `kubectl get jobs` shows failed trials as failed Jobs.
 */
export async function execTrialInPod(opts: ExecTrialOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  const out = opts.stdout ?? process.stdout;
  const terminationLog = opts.terminationLog ?? env.HYPERFLEET_TERMINATION_LOG ?? '/dev/termination-log';
  const workDir = opts.workDir ?? process.cwd();
  const started = performance.now();
  const finish = async (message: Omit<TerminationMessage, 'hyperfleet'>): Promise<number> => {
    await writeFile(terminationLog, encodeTerminationMessage(message)).catch((error: Error) => {
      out.write(`[hyperfleet] could not write the termination message: ${error.message}\n`);
    });
    return exitCodeOf(message);
  };
  const spawnError = (error: string) => {
    out.write(`[hyperfleet] ${error}\n`);
    return finish({
      outcome: 'spawn-error',
      exitCode: null,
      signal: null,
      error,
      durationMs: performance.now() - started,
      malformedLines: 0,
      finalMetrics: {},
    });
  };

  let payload: unknown;
  try {
    payload = JSON.parse(env[TRIAL_JOB_ENV] ?? '');
  } catch {
    return spawnError(
      `${TRIAL_JOB_ENV} is missing or not JSON: this command runs inside pods the Kubernetes executor creates`,
    );
  }
  const parsed = parseTrialJob(payload);
  if (!parsed.ok) return spawnError(parsed.message);
  const job = parsed.job;
  const redisUrl = env.HYPERFLEET_REDIS_URL;
  const server = env.HYPERFLEET_SERVER ?? 'http://127.0.0.1:7070';
  const token = env.HYPERFLEET_TOKEN ?? '';
  const reportKey = env[REPORT_KEY_ENV];
  // The runner gives the trial only its allowlist of this environment; the credentials go from here too, so
  // nothing this process starts can read them.
  for (const name of ['HYPERFLEET_TOKEN', 'HYPERFLEET_REDIS_URL', REPORT_KEY_ENV, TRIAL_JOB_ENV]) delete env[name];
  // The secrets the executor mapped for this trial are in this pod's env (secretKeyRefs), named in ALLOWED_SECRETS_ENV.
  let trialEnv: Record<string, string>;
  try {
    const policy = kubernetesSecretPolicy(parseSecretNames([env[ALLOWED_SECRETS_ENV]]));
    const resolved = resolveTrialEnv(job.env, policy, env, 'this pod');
    if (!resolved.ok) return spawnError(resolved.error);
    trialEnv = resolved.env;
  } catch (error) {
    return spawnError(`${ALLOWED_SECRETS_ENV}: ${(error as Error).message}`);
  }
  if (!opts.reports && !redisUrl)
    return spawnError('HYPERFLEET_REDIS_URL is not set: metrics would have nowhere to go');
  const transport = opts.reports
    ? null
    : createRedisTransport({
        url: redisUrl as string,
        prefix: env.HYPERFLEET_PREFIX || 'hf',
        // The agent's key for this attempt only: the controller refuses unsigned reports.
        ...(reportKey
          ? {
              signer: {
                sender: env.HYPERFLEET_AGENT_ID || 'pod',
                key: Buffer.from(reportKey, 'hex'),
                attempt: jobIdOf(job.trialId, job.attempt),
              },
            }
          : {}),
      });
  const reports = opts.reports ?? (transport?.reports as ReportStream);
  const reporter = new TrialReporter(reports, job, DEFAULT_BATCH);
  const abort = new AbortController();
  const signals = opts.signals ?? process;
  const onTerm = () => abort.abort();
  signals.on('SIGTERM', onTerm);
  signals.on('SIGINT', onTerm);
  let workspace: PinnedWorkspace | null = null;
  try {
    let cwd = job.cwd;
    if (job.pins?.code) {
      const client = new ControllerClient({ serverUrl: server, token });
      try {
        workspace = await openPinnedWorkspace(job.pins, {
          workDir,
          key: `${job.trialId}.a${job.attempt}`,
          getBlob: (hash) => client.getBlob(hash),
          ...(job.argv[0] && /python/.test(job.argv[0]) ? { python: job.argv[0] } : {}),
          ...(env.HYPERFLEET_IMAGE ? { image: env.HYPERFLEET_IMAGE } : {}),
        });
        cwd = workspace.cwd;
        reporter.started(env.HYPERFLEET_AGENT_ID || 'pod', Date.now(), workspace.env);
      } catch (error) {
        return await spawnError(describeWorkspaceError(error));
      }
    } else if (!(await isDirectory(cwd))) {
      return await spawnError(
        `the sweep's working directory ${cwd} is not in image ${env.HYPERFLEET_IMAGE ?? '(the trial image)'} and no code was pinned: submit with code pinning, or put the code at ${cwd} in the image`,
      );
    }
    const trialDir = join(workDir, 'trial');
    await mkdir(trialDir, { recursive: true });
    // What the runner writes to output.log, echoed, is the pod's log.
    const result: TrialResult = await runTrial({
      sweepId: job.sweepId,
      trialId: job.trialId,
      argv: job.argv,
      cwd,
      env: trialEnv,
      inheritFrom: env,
      params: job.params,
      seed: job.seed,
      trialDir,
      ...(job.timeoutMs === undefined ? {} : { timeoutMs: job.timeoutMs }),
      ...(job.killGraceMs === undefined ? {} : { killGraceMs: job.killGraceMs }),
      ...(job.metrics ? { metrics: job.metrics } : {}),
      onOutput: (chunk) => out.write(chunk),
      onMetrics: (points) => reporter.addPoints(points),
      signal: abort.signal,
    });
    // Every point is in the stream before the pod ends, so before the agent publishes `finished`.
    await reporter.flush();
    if (reporter.droppedPoints > 0) {
      out.write(
        `[hyperfleet] ${reporter.droppedPoints} metric points could not be published: ${reporter.metricsError?.message}\n`,
      );
    }
    return await finish({
      outcome: result.outcome,
      exitCode: result.exitCode,
      signal: result.signal,
      error: result.error,
      durationMs: result.durationMs,
      malformedLines: result.malformedLines,
      finalMetrics: result.finalMetrics,
    });
  } finally {
    signals.off('SIGTERM', onTerm);
    signals.off('SIGINT', onTerm);
    await workspace?.cleanup().catch(() => {});
    await transport?.close();
  }
}

/** The trial's own exit code; 128 + n for a signal; 124 timeout, 127 could not start, 143 stopped. */
function exitCodeOf(m: Omit<TerminationMessage, 'hyperfleet'>): number {
  if (m.outcome === 'spawn-error') return 127;
  if (m.outcome === 'timeout') return 124;
  if (m.outcome === 'stopped') return 143;
  if (m.exitCode !== null) return m.exitCode;
  const signal = m.signal ? constants.signals[m.signal as NodeJS.Signals] : undefined;
  return signal ? 128 + signal : 1;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
