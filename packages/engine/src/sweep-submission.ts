import type { SweepConfig } from '@hyperfleet/domain';
import type { SweepRecord, TrackingStore } from '@hyperfleet/store';
import { planFromConfig } from './plan-from-config';
import type { SweepPlan } from './ports';
import type { JobTemplate } from './queue-dispatcher';
import type { SubmittedPins } from './submitted-pins';

/** Event that records how a sweep was submitted: what a restarted controller needs besides the config. */
export const SUBMITTED_EVENT = 'sweep.submitted';

/** What the submitter chose that is not part of the sweep config. */
export interface SweepSubmission {
  cwd: string;
  pool: string;
  killGraceMs?: number;
  /** Code, data and environment pinned by the submitter; every trial's job and lineage record carry them. */
  pins?: SubmittedPins;
}

/** Where `${args_json_file}` points, relative to the trial's working directory (the agent writes it there). */
export function fleetArgsJsonFile(sweepId: string, trialId: string): string {
  return `.hyperfleet/runs/${sweepId}/${trialId}/params.json`;
}

/**
 * The plan for a stored sweep. The stored config already carries every submit-time override (seed, run_cap,
 * parallel, pool, name), so the same plan comes back after a restart; `runCap` narrows it (stop, retry-failed).
 */
export function planForStoredSweep(sweep: SweepRecord, runCap?: number): SweepPlan {
  const plan = planFor(sweep.id, sweep.config as SweepConfig, sweep.seed);
  return runCap === undefined ? plan : { ...plan, runCap };
}

export function planFor(id: string, config: SweepConfig, seed: number): SweepPlan {
  return planFromConfig(config, {
    id,
    seed,
    argsJsonFile: (trial) => fleetArgsJsonFile(id, trial.id),
  });
}

export async function readSubmission(store: TrackingStore, sweep: SweepRecord): Promise<SweepSubmission> {
  const events = await store.listEvents({ sweepId: sweep.id, type: SUBMITTED_EVENT, limit: 1 });
  const data = events[0]?.data as Partial<SweepSubmission> | undefined;
  const config = sweep.config as Partial<SweepConfig>;
  return {
    cwd: data?.cwd ?? '.',
    pool: data?.pool ?? config.resources?.pool ?? 'default',
    ...(data?.killGraceMs === undefined ? {} : { killGraceMs: data.killGraceMs }),
    ...(data?.pins === undefined ? {} : { pins: data.pins }),
  };
}

/** The job fields every trial of the sweep shares. */
export function jobTemplate(config: SweepConfig, submission: SweepSubmission): JobTemplate {
  const r = config.resources;
  const resources =
    r === undefined
      ? undefined
      : {
          ...(r.cpus === undefined ? {} : { cpus: r.cpus }),
          ...(r.gpus === undefined ? {} : { gpus: r.gpus }),
          ...(r.memory === undefined ? {} : { memory: String(r.memory) }),
        };
  return {
    pool: submission.pool,
    cwd: submission.cwd,
    ...(config.env === undefined ? {} : { env: config.env }),
    ...(resources === undefined ? {} : { resources }),
    ...(config.timeout === undefined ? {} : { timeoutMs: config.timeout * 1000 }),
    ...(config.metrics === undefined ? {} : { metrics: config.metrics }),
    ...(submission.killGraceMs === undefined ? {} : { killGraceMs: submission.killGraceMs }),
    ...(submission.pins === undefined ? {} : { pins: submission.pins }),
    ...(config.image === undefined ? {} : { image: config.image }),
  };
}
