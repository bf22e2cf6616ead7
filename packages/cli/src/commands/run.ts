import { dirname, join, resolve } from 'node:path';
import { planFromConfig, RUN_CAP_REQUIRED, type SweepPlan, SweepScheduler } from '@hyperfleet/scheduler';
import { gridSize } from '@hyperfleet/search';
import { formatIssues, HyperfleetError, loadSweepConfig, requireValidConfig, type SweepConfig } from '@hyperfleet/spec';
import { openStore, recordTrialLineage } from '@hyperfleet/store';
import { CliError, EXIT } from '../cli-error';
import { LocalDispatcher } from '../embedded/local-dispatcher';
import { newSeed, newSweepId } from '../ids';
import { resolveRunsDir, resolveStoreUrl } from '../store-location';
import { LiveView } from '../ui/live-view';
import { pinSweep } from './pin-sweep';

export interface RunOptions {
  store?: string;
  parallel?: number;
  count?: number;
  seed?: number;
  killGrace?: number;
  untracked?: 'refuse' | 'warn' | 'include';
}

const systemClock = { now: () => Date.now() };

/** `hyperfleet run sweep.yaml`: the whole sweep in this process (embedded mode), with a live table. */
export async function runCommand(file: string, opts: RunOptions, io = { out: process.stdout }): Promise<number> {
  const loaded = await loadSweepConfig(file);
  if (loaded.warnings.length > 0) process.stderr.write(`warning: ${formatIssues(loaded.warnings, { source: file })}\n`);
  const config = requireValidConfig(loaded, file);
  const plan = buildPlan(config, opts);
  const total = plannedTotal(config, plan);

  const storeUrl = resolveStoreUrl(opts.store);
  const store = await openStore(storeUrl);
  const pins = await pinSweep(resolve(file), config, (hash, bytes) => store.lineage().putBlob(hash, bytes), {
    untracked: opts.untracked,
  }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const dispatcher = new LocalDispatcher({
    // Embedded trials run in the pinned working tree itself; the record says exactly what it held.
    prepare: async (trial) => {
      await recordTrialLineage(store, pins, trial);
      return undefined;
    },
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
  const id = newSweepId();
  const runsDir = join(resolveRunsDir(resolveStoreUrl(opts.store)), id);
  try {
    return planFromConfig(config, {
      id,
      seed: opts.seed,
      fallbackSeed: newSeed(),
      parallel: opts.parallel,
      count: opts.count,
      // The runner writes params.json into the trial's directory; ${args_json_file} points there.
      argsJsonFile: (trial) => join(runsDir, trial.id, 'params.json'),
    });
  } catch (err) {
    if (err instanceof HyperfleetError && err.code === RUN_CAP_REQUIRED) {
      throw new CliError(err.message, err.hint ?? null, EXIT.usage);
    }
    throw err;
  }
}

function plannedTotal(config: SweepConfig, plan: SweepPlan): number | null {
  if (config.method !== 'grid') return plan.runCap ?? null;
  const size = gridSize(plan.space);
  return plan.runCap === undefined ? size : Math.min(size, plan.runCap);
}
