import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inheritedEnv } from './inherited-env';
import type { RunTrialOptions } from './types';

/** Where a trial's files live inside its trialDir. */
export interface TrialPaths {
  logPath: string;
  metricsPath: string;
  paramsPath: string;
  outputDir: string;
}

export function trialPaths(trialDir: string): TrialPaths {
  return {
    logPath: join(trialDir, 'output.log'),
    metricsPath: join(trialDir, 'metrics.jsonl'),
    paramsPath: join(trialDir, 'params.json'),
    outputDir: join(trialDir, 'outputs'),
  };
}

/**
 * Creates trialDir and outputs/, writes params.json, and moves a metrics file left by an earlier attempt
 * aside (to metrics.jsonl.prev) so its points are not read again as this attempt's.
 */
export async function prepareTrialDir(opts: RunTrialOptions, paths: TrialPaths): Promise<void> {
  await mkdir(paths.outputDir, { recursive: true });
  await writeFile(paths.paramsPath, `${JSON.stringify(opts.params, null, 2)}\n`);
  await rename(paths.metricsPath, `${paths.metricsPath}.prev`).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/**
 * The trial's whole environment: the allowlisted variables of the process that runs it (see inherited-env.ts:
 * never its credentials), then the sweep's `env:` (literals and resolved secrets), then the HYPERFLEET_*
 * contract (which wins over both), then the slot's CUDA_VISIBLE_DEVICES.
 */
export function buildTrialEnv(opts: RunTrialOptions, paths: TrialPaths): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...inheritedEnv(opts.inheritFrom ?? process.env),
    ...opts.env,
    HYPERFLEET_SWEEP_ID: opts.sweepId,
    HYPERFLEET_TRIAL_ID: opts.trialId,
    HYPERFLEET_PARAMS: JSON.stringify(opts.params),
    HYPERFLEET_PARAMS_FILE: paths.paramsPath,
    HYPERFLEET_METRICS_FILE: paths.metricsPath,
    HYPERFLEET_OUTPUT_DIR: paths.outputDir,
    HYPERFLEET_SEED: String(opts.seed),
  };
  // An empty list is meaningful: it hides every GPU from the trial.
  if (opts.gpus) env.CUDA_VISIBLE_DEVICES = opts.gpus.join(',');
  return env;
}
