import { dirname, join, resolve } from 'node:path';
import {
  formatIssues,
  HyperfleetError,
  loadSweepConfig,
  requireValidConfig,
  type SweepConfig,
} from '@hyperfleet/domain';
import {
  newSeed,
  newSweepId,
  planFromConfig,
  RUN_CAP_REQUIRED,
  resolveSweepSeed,
  type SweepPlan,
} from '@hyperfleet/engine';
import { gridSize } from '@hyperfleet/search';
import { openStore } from '@hyperfleet/store';
import { CliError, EXIT } from '../cli-error';
import { EmbeddedSweep, embeddedTemplate, systemClock } from '../embedded-sweep';
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
  /** Serve the web dashboard: a port (0 = any free one), or true for 7070 (a free one when taken). */
  dashboard?: number | boolean;
}

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
  const view = new LiveView({
    sweepId: plan.id,
    method: plan.method,
    metric: plan.metric,
    total,
    stream: io.out,
    now: systemClock.now,
  });
  const runsDir = join(resolveRunsDir(storeUrl), plan.id);
  const embedded = await EmbeddedSweep.open({
    store,
    plan,
    template: embeddedTemplate(config, { cwd: dirname(resolve(file)), killGrace: opts.killGrace, pins }),
    hooks: { onTrialEvent: (e) => view.handle(e) },
    // ${args_json_file} points into .hyperfleet/runs/<sweep>/<trial>/: the same directory as before.
    trialDir: (job) => join(runsDir, job.trialId),
    ...(opts.dashboard === undefined || opts.dashboard === false ? {} : { dashboard: opts.dashboard }),
  }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const { dashboard } = embedded;
  let stopListening = embedded.cancelOnSignals(io.out);
  try {
    await embedded.start();
    // After start: the sweep is in the store, so the page finds it at once.
    if (dashboard) io.out.write(`dashboard: ${dashboard.url}/sweeps/${plan.id}\n`);
    const sweep = await embedded.done;
    view.finish(sweep);
    if (dashboard && embedded.interrupted === 0 && (io.out as { isTTY?: boolean }).isTTY) {
      // At a terminal the results stay browsable until the user is done with them.
      stopListening();
      stopListening = () => {};
      io.out.write(`the sweep has ended; the dashboard stays at ${dashboard.url}/sweeps/${plan.id} — Ctrl-C to exit\n`);
      await new Promise<void>((resolve) => {
        const done = () => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          resolve();
        };
        process.on('SIGINT', done);
        process.on('SIGTERM', done);
      });
    }
    if (sweep.status === 'cancelled') return EXIT.interrupted;
    if (sweep.status === 'failed') return EXIT.failure;
    const counts = await store.countTrials(sweep.id);
    return counts.succeeded > 0 || counts.stopped > 0 ? EXIT.ok : EXIT.failure;
  } finally {
    stopListening();
    await embedded.close();
    await store.close();
  }
}

function buildPlan(config: SweepConfig, opts: RunOptions): SweepPlan {
  const id = newSweepId();
  const runsDir = join(resolveRunsDir(resolveStoreUrl(opts.store)), id);
  try {
    return planFromConfig(config, {
      id,
      seed: resolveSweepSeed(opts.seed, config.seed, newSeed),
      parallel: opts.parallel,
      count: opts.count,
      // The runner writes params.json into the trial's directory; ${args_json_file} points there.
      argsJsonFile: (trial) => join(runsDir, trial.id, 'params.json'),
    });
  } catch (err) {
    if (err instanceof HyperfleetError && err.code === RUN_CAP_REQUIRED) {
      throw new CliError(err.message, err.hint, EXIT.usage);
    }
    throw err;
  }
}

function plannedTotal(config: SweepConfig, plan: SweepPlan): number | null {
  if (config.method !== 'grid') return plan.runCap ?? null;
  const size = gridSize(plan.space);
  return plan.runCap === undefined ? size : Math.min(size, plan.runCap);
}
