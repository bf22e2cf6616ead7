import { HyperfleetError, renderCommand, type SweepConfig, toSearchSpace } from '@hyperfleet/domain';
import { createStrategy } from '@hyperfleet/search';
import type { SweepPlan } from './ports';

export interface PlanOptions {
  /** The sweep id (the caller mints it, or takes it from the stored sweep when recovering). */
  id: string;
  /** The sweep's seed, from `resolveSweepSeed` (or the stored sweep when recovering). */
  seed: number;
  /** Overrides `config.parallel`. */
  parallel?: number;
  /** Overrides `config.run_cap`. */
  count?: number;
  /** Where `${args_json_file}` points for a trial (the runner writes params.json there). */
  argsJsonFile: (trial: { id: string; index: number }) => string;
}

/**
 * The seed a new sweep runs with: the submitter's `--seed` over the config's `seed` over a fresh draw. `fresh`
 * is only called when neither is set (the caller injects the randomness; the plan stays deterministic).
 */
export function resolveSweepSeed(
  flag: number | undefined,
  configSeed: number | undefined,
  fresh: () => number,
): number {
  return flag ?? configSeed ?? fresh();
}

/** Raised when a plan cannot be built from an otherwise valid config (e.g. random search without a cap). */
export const RUN_CAP_REQUIRED = 'RUN_CAP_REQUIRED';

/**
 * Builds the scheduler's plan from a validated sweep config. Shared by embedded `run` and the controller
 * so both modes create the same trials from the same config and seed.
 */
export function planFromConfig(config: SweepConfig, opts: PlanOptions): SweepPlan {
  createStrategy(config.method); // fails before anything runs when the method is unavailable
  const runCap = opts.count ?? config.run_cap;
  if (runCap === undefined && config.method !== 'grid') {
    throw new HyperfleetError(
      RUN_CAP_REQUIRED,
      `${config.method} search never runs out of points, so this sweep would not end`,
      {
        hint: 'set run_cap in the sweep config or pass --count N',
      },
    );
  }
  return {
    id: opts.id,
    name: config.name ?? null,
    method: config.method,
    metric: config.metric ? { name: config.metric.name, goal: config.metric.goal, target: config.metric.target } : null,
    space: toSearchSpace(config),
    parallel: opts.parallel ?? config.parallel,
    runCap,
    retries: config.retries,
    seed: opts.seed,
    strategyOptions: { shuffle: config.grid?.shuffle, withoutReplacement: config.random?.without_replacement },
    earlyTerminate: config.early_terminate,
    config,
    command: (params, trial) => renderCommand(config, { params, argsJsonFile: opts.argsJsonFile(trial) }),
  };
}
