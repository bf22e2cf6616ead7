import { dirname, join, resolve } from 'node:path';
import { type SweepPlan, SweepScheduler } from '@hyperfleet/scheduler';
import { createStrategy, gridSize } from '@hyperfleet/search';
import {
  formatIssues,
  loadSweepConfig,
  renderCommand,
  requireValidConfig,
  type SweepConfig,
  toSearchSpace,
} from '@hyperfleet/spec';
import { openStore } from '@hyperfleet/store';
import { CliError, EXIT } from '../cli-error';
import { LocalDispatcher } from '../embedded/local-dispatcher';
import { newSeed, newSweepId } from '../ids';
import { resolveRunsDir, resolveStoreUrl } from '../store-location';
import { LiveView } from '../ui/live-view';

export interface RunOptions {
  store?: string;
  parallel?: number;
  count?: number;
  seed?: number;
  killGrace?: number;
}

const systemClock = { now: () => Date.now() };

/** `hyperfleet run sweep.yaml`: the whole sweep in this process (embedded mode), with a live table. */
export async function runCommand(file: string, opts: RunOptions, io = { out: process.stdout }): Promise<number> {
  const loaded = await loadSweepConfig(file);
  if (loaded.warnings.length > 0) process.stderr.write(`warning: ${formatIssues(loaded.warnings, { source: file })}\n`);
  const config = requireValidConfig(loaded, file);
  if (config.early_terminate) {
    process.stderr.write(
      'warning: early_terminate is validated but not applied in this build; trials run to the end\n',
    );
  }
  const plan = buildPlan(config, opts);
  const total = plannedTotal(config, plan);

  const storeUrl = resolveStoreUrl(opts.store);
  const store = await openStore(storeUrl);
  const dispatcher = new LocalDispatcher({
    slots: plan.parallel,
    cwd: dirname(resolve(file)),
    runsDir: join(resolveRunsDir(storeUrl), plan.id),
    killGraceMs: (opts.killGrace ?? 10) * 1000,
    timeoutMs: config.timeout === undefined ? undefined : config.timeout * 1000,
    metrics: config.metrics,
  });
  const scheduler = new SweepScheduler(plan, { store, dispatcher, clock: systemClock });
  dispatcher.bind(scheduler);
  const view = new LiveView({
    sweepId: plan.id,
    method: plan.method,
    metric: plan.metric,
    total,
    stream: io.out,
    now: systemClock.now,
  });
  scheduler.on((e) => view.handle(e));

  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      io.out.write(`\n${signal}: stopping running trials (SIGTERM, then SIGKILL after the grace period)…\n`);
      void scheduler.cancel(`interrupted (${signal})`);
    } else {
      io.out.write('still stopping trials; they are recorded as cancelled when they exit\n');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await scheduler.start();
    const sweep = await scheduler.done;
    await dispatcher.drain();
    view.finish(sweep);
    if (sweep.status === 'cancelled') return EXIT.interrupted;
    if (sweep.status === 'failed') return EXIT.failure;
    const counts = await store.countTrials(sweep.id);
    return counts.succeeded > 0 || counts.stopped > 0 ? EXIT.ok : EXIT.failure;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
}

function buildPlan(config: SweepConfig, opts: RunOptions): SweepPlan {
  createStrategy(config.method); // fails before anything runs when the method is unavailable
  const runCap = opts.count ?? config.run_cap;
  if (runCap === undefined && config.method !== 'grid') {
    throw new CliError(
      `${config.method} search never runs out of points, so this sweep would not end`,
      'set run_cap in the sweep config or pass --count N',
      EXIT.usage,
    );
  }
  const id = newSweepId();
  const runsDir = join(resolveRunsDir(resolveStoreUrl(opts.store)), id);
  return {
    id,
    name: config.name ?? null,
    method: config.method,
    metric: config.metric ? { name: config.metric.name, goal: config.metric.goal, target: config.metric.target } : null,
    space: toSearchSpace(config),
    parallel: opts.parallel ?? config.parallel,
    runCap,
    retries: config.retries,
    seed: opts.seed ?? config.seed ?? newSeed(),
    strategyOptions: { shuffle: config.grid?.shuffle, withoutReplacement: config.random?.without_replacement },
    config,
    // The runner writes params.json into the trial's directory; ${args_json_file} points there.
    command: (params, trial) => renderCommand(config, { params, argsJsonFile: join(runsDir, trial.id, 'params.json') }),
  };
}

function plannedTotal(config: SweepConfig, plan: SweepPlan): number | null {
  if (config.method !== 'grid') return plan.runCap ?? null;
  const size = gridSize(plan.space);
  return plan.runCap === undefined ? size : Math.min(size, plan.runCap);
}
