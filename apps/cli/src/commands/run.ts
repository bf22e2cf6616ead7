import { dirname, join, resolve } from 'node:path';
import type { DashboardServer, startDashboardServer } from '@hyperfleet/controller';
import {
  formatIssues,
  HyperfleetError,
  loadSweepConfig,
  requireValidConfig,
  type SweepConfig,
} from '@hyperfleet/domain';
import {
  type Logger,
  nullMeter,
  planFromConfig,
  RUN_CAP_REQUIRED,
  type RuntimeHooks,
  SweepEngine,
  type SweepPlan,
} from '@hyperfleet/engine';
import { gridSize } from '@hyperfleet/search';
import { openStore } from '@hyperfleet/store';
import { createInProcessTransport } from '@hyperfleet/transport';
import { type AgentLogger, createLocalAgent } from '@hyperfleet/worker';
import { CliError, EXIT } from '../cli-error';
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
  /** Serve the web dashboard: a port (0 = any free one), or true for 7070 (a free one when taken). */
  dashboard?: number | boolean;
}

/** The default dashboard port, as `hyperfleet server` uses. */
const DASHBOARD_PORT = 7070;

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
  const view = new LiveView({
    sweepId: plan.id,
    method: plan.method,
    metric: plan.metric,
    total,
    stream: io.out,
    now: systemClock.now,
  });
  // Fleet mode's pieces in one process: the controller's sweep runner and an agent with `parallel` slots.
  const transport = createInProcessTransport();
  let runnerRef: SweepEngine | null = null;
  let dashboard: DashboardServer | null = null;
  if (opts.dashboard !== undefined && opts.dashboard !== false) {
    try {
      dashboard = await startEmbeddedDashboard(store, transport, opts.dashboard, {
        control: (_sweepId, action) => {
          const r = runnerRef;
          if (!r) return Promise.resolve();
          if (action === 'pause') return r.pause();
          if (action === 'resume') return r.resume();
          if (action === 'stop') return r.stop('stopped from the dashboard');
          return r.cancel('cancelled from the dashboard');
        },
        stopTrial: (trialId) => runnerRef?.earlyStop(trialId, 'stopped from the dashboard') ?? Promise.resolve(),
      });
    } catch (err) {
      await Promise.allSettled([transport.close(), store.close()]);
      throw err;
    }
  }
  const viewHooks: RuntimeHooks = { onTrialEvent: (e) => view.handle(e) };
  const runsDir = join(resolveRunsDir(storeUrl), plan.id);
  const runner = new SweepEngine({
    plan,
    store,
    transport,
    clock: systemClock,
    consumerId: 'embedded',
    template: {
      pool: EMBEDDED_POOL,
      cwd: dirname(resolve(file)),
      killGraceMs: (opts.killGrace ?? 10) * 1000,
      ...(config.timeout === undefined ? {} : { timeoutMs: config.timeout * 1000 }),
      ...(config.metrics === undefined ? {} : { metrics: config.metrics }),
      // Recorded as each trial's lineage; the local agent runs in the pinned working tree itself.
      pins: { ...pins, bundle: null, dataRemote: null },
    },
    hooks: dashboard ? bothHooks(viewHooks, dashboard.hooks) : viewHooks,
    meter: nullMeter,
    log: stderrLogger,
  });
  runnerRef = runner;
  const agent = createLocalAgent({
    transport,
    pool: EMBEDDED_POOL,
    slots: plan.parallel,
    agentId: 'local',
    // ${args_json_file} points into .hyperfleet/runs/<sweep>/<trial>/: the same directory as before.
    trialDir: (job) => join(runsDir, job.trialId),
    logger: agentLogger,
    // The dashboard's trial page tails the log stream; without it nobody reads the stream.
    streamLogs: dashboard !== null,
  });

  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      io.out.write(`\n${signal}: stopping running trials (SIGTERM, then SIGKILL after the grace period)…\n`);
      void runner.cancel(`interrupted (${signal})`);
    } else {
      io.out.write('still stopping trials; they are recorded as cancelled when they exit\n');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await agent.start();
    await runner.start();
    // After start: the sweep is in the store, so the page finds it at once.
    if (dashboard) io.out.write(`dashboard: ${dashboard.url}/sweeps/${plan.id}\n`);
    const sweep = await runner.done;
    view.finish(sweep);
    if (dashboard && interrupts === 0 && (io.out as { isTTY?: boolean }).isTTY) {
      // At a terminal the results stay browsable until the user is done with them.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
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
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The sweep has ended, so nothing runs: the agent just stops consuming.
    await agent.close();
    await runner.detach();
    await dashboard
      ?.close()
      .catch((err: unknown) => stderrLogger.warn(`closing the dashboard: ${(err as Error).message}`));
    await transport.close();
    await store.close();
  }
}

const EMBEDDED_POOL = 'local';

/** The dashboard server on localhost, fed by the runner's hooks (socket.io loads only here). */
async function startEmbeddedDashboard(
  store: Parameters<typeof startDashboardServer>[0]['store'],
  transport: ReturnType<typeof createInProcessTransport>,
  port: number | true,
  controls: Pick<Parameters<typeof startDashboardServer>[0], 'control' | 'stopTrial'>,
): Promise<DashboardServer> {
  const origins = process.env.HYPERFLEET_DASHBOARD_ORIGINS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const { startDashboardServer } = await import('@hyperfleet/controller');
  return startDashboardServer({
    store,
    logs: transport.logs,
    port: port === true ? DASHBOARD_PORT : port,
    fallbackToFreePort: port === true,
    ...controls,
    log: stderrLogger,
    ...(origins && origins.length > 0 ? { allowOrigins: origins } : {}),
  });
}

function bothHooks(a: RuntimeHooks, b: RuntimeHooks): RuntimeHooks {
  return {
    onMetrics: (sweepId, points) => {
      try {
        a.onMetrics?.(sweepId, points);
      } finally {
        b.onMetrics?.(sweepId, points);
      }
    },
    onTrialEvent: (e) => {
      try {
        a.onTrialEvent?.(e);
      } finally {
        b.onTrialEvent?.(e);
      }
    },
  };
}

const stderrLogger: Logger = {
  info() {},
  warn: (msg) => process.stderr.write(`warning: ${msg}\n`),
  error: (msg) => process.stderr.write(`error: ${msg}\n`),
};

// The live table tells the trials' story; the agent speaks only when something went wrong.
const agentLogger: AgentLogger = (level, message) => {
  if (level !== 'info') process.stderr.write(`${level === 'warn' ? 'warning' : 'error'}: ${message}\n`);
};

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
