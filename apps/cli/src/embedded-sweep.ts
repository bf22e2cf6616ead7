import { type AgentLogger, createLocalAgent, type LocalAgent } from '@hyperfleet/agent-core';
import type { DashboardServer, startDashboardServer } from '@hyperfleet/controller';
import type { SweepConfig } from '@hyperfleet/domain';
import {
  composeHooks,
  type JobTemplate,
  type Logger,
  nullMeter,
  type RuntimeHooks,
  SweepEngine,
  type SweepPlan,
} from '@hyperfleet/engine';
import type { SweepPins } from '@hyperfleet/lineage';
import type { SweepRecord, TrackingStore } from '@hyperfleet/store';
import { createInProcessTransport, type InProcessTransport, type TrialJob } from '@hyperfleet/transport';
import { whenOutputCloses } from './output-pipe';

/** The pool embedded trials are queued on; the local agent takes from it. */
export const EMBEDDED_POOL = 'local';

/** The default dashboard port, as `hyperfleet server` uses. */
const DASHBOARD_PORT = 7070;

export const systemClock = { now: () => Date.now() };

export interface EmbeddedSweepOptions {
  store: TrackingStore;
  plan: SweepPlan;
  /** The job fields every trial shares (the pool is the embedded one). */
  template: Omit<JobTemplate, 'pool'>;
  hooks: RuntimeHooks;
  /** Where a trial's files go (params.json, output.log, outputs/): `${args_json_file}` must point there. */
  trialDir: (job: TrialJob) => string;
  /** Serve the web dashboard: a port (0 = any free one), or true for 7070 (a free one when taken). */
  dashboard?: number | true;
}

/**
 * The job fields of every embedded trial: the sweep's timeout, metric files and `env:`, the kill grace (seconds, default
 * 10), and the pins, recorded as each trial's lineage (the local agent runs in `cwd`, the pinned tree itself).
 */
export function embeddedTemplate(
  config: Pick<SweepConfig, 'timeout' | 'metrics' | 'env'>,
  opts: { cwd: string; killGrace?: number | undefined; pins: SweepPins },
): Omit<JobTemplate, 'pool'> {
  return {
    cwd: opts.cwd,
    killGraceMs: (opts.killGrace ?? 10) * 1000,
    ...(config.timeout === undefined ? {} : { timeoutMs: config.timeout * 1000 }),
    ...(config.metrics === undefined ? {} : { metrics: config.metrics }),
    ...(config.env === undefined ? {} : { env: config.env }),
    pins: { ...opts.pins, bundle: null, dataRemote: null },
  };
}

/**
 * Fleet mode's pieces in one process (embedded mode): the SweepEngine over an in-process transport and a local
 * agent with `plan.parallel` slots, optionally the dashboard — the same dispatcher, outcome rules, report
 * ingestion and ranking as a fleet. `hyperfleet run` and local `hyperfleet reproduce` both run through here.
 */
export class EmbeddedSweep {
  readonly engine: SweepEngine;
  private readonly agent: LocalAgent;
  private interrupts = 0;

  private constructor(
    private readonly transport: InProcessTransport,
    readonly dashboard: DashboardServer | null,
    opts: EmbeddedSweepOptions,
  ) {
    const { plan, store } = opts;
    this.engine = new SweepEngine({
      plan,
      store,
      transport,
      clock: systemClock,
      consumerId: 'embedded',
      template: { ...opts.template, pool: EMBEDDED_POOL },
      hooks: composeHooks(opts.hooks, dashboard?.hooks),
      meter: nullMeter,
      log: stderrLogger,
    });
    this.agent = createLocalAgent({
      transport,
      pool: EMBEDDED_POOL,
      slots: plan.parallel,
      agentId: 'local',
      trialDir: opts.trialDir,
      logger: agentLogger,
      // The dashboard's trial page tails the log stream; without it nobody reads the stream.
      streamLogs: dashboard !== null,
    });
  }

  /** Builds the pieces (and starts the dashboard when asked); nothing runs until `start()`. */
  static async open(opts: EmbeddedSweepOptions): Promise<EmbeddedSweep> {
    const transport = createInProcessTransport();
    let embedded: EmbeddedSweep | null = null;
    let dashboard: DashboardServer | null = null;
    if (opts.dashboard !== undefined) {
      try {
        dashboard = await startEmbeddedDashboard(opts.store, transport, opts.dashboard, {
          control: (_sweepId, action) => {
            const engine = embedded?.engine;
            if (!engine) return Promise.resolve();
            if (action === 'pause') return engine.pause();
            if (action === 'resume') return engine.resume();
            if (action === 'stop') return engine.stop('stopped from the dashboard');
            return engine.cancel('cancelled from the dashboard');
          },
          stopTrial: (trialId) =>
            embedded?.engine.earlyStop(trialId, 'stopped from the dashboard') ?? Promise.resolve(),
        });
      } catch (err) {
        await transport.close();
        throw err;
      }
    }
    embedded = new EmbeddedSweep(transport, dashboard, opts);
    return embedded;
  }

  /** Starts the agent, then the engine (which creates or recovers the sweep and dispatches its trials). */
  async start(): Promise<void> {
    await this.agent.start();
    await this.engine.start();
  }

  /** Resolves with the sweep record once it has ended. */
  get done(): Promise<SweepRecord> {
    return this.engine.done;
  }

  /** How many times SIGINT/SIGTERM arrived while `cancelOnSignals` listened. */
  get interrupted(): number {
    return this.interrupts;
  }

  /**
   * Ctrl-C (or SIGTERM) cancels the sweep: running trials get SIGTERM, then SIGKILL after their grace period, and
   * are recorded as cancelled. So does a closed stdout (`hyperfleet run … | head`), which is then told on stderr.
   * Returns the function that stops listening.
   */
  cancelOnSignals(out: NodeJS.WritableStream): () => void {
    const interrupt = (why: string, notices: NodeJS.WritableStream) => {
      this.interrupts++;
      if (this.interrupts === 1) {
        notices.write(`\n${why}: stopping running trials (SIGTERM, then SIGKILL after the grace period)…\n`);
        void this.engine.cancel(`interrupted (${why})`);
      } else {
        notices.write('still stopping trials; they are recorded as cancelled when they exit\n');
      }
    };
    const onSignal = (signal: NodeJS.Signals) => interrupt(signal, out);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const stopWatchingOutput = whenOutputCloses(() => interrupt('output closed', process.stderr));
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stopWatchingOutput();
    };
  }

  /** After the sweep has ended nothing runs: the agent just stops consuming. The caller closes the store. */
  async close(): Promise<void> {
    await this.agent.close();
    await this.engine.detach();
    await this.dashboard
      ?.close()
      .catch((err: unknown) => stderrLogger.warn(`closing the dashboard: ${(err as Error).message}`));
    await this.transport.close();
  }
}

/** The dashboard server on localhost, fed by the engine's hooks (socket.io loads only here). */
async function startEmbeddedDashboard(
  store: Parameters<typeof startDashboardServer>[0]['store'],
  transport: InProcessTransport,
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

export const stderrLogger: Logger = {
  info() {},
  warn: (msg) => process.stderr.write(`warning: ${msg}\n`),
  error: (msg) => process.stderr.write(`error: ${msg}\n`),
};

// The live table tells the trials' story; the agent speaks only when something went wrong.
const agentLogger: AgentLogger = (level, message) => {
  if (level !== 'info') process.stderr.write(`${level === 'warn' ? 'warning' : 'error'}: ${message}\n`);
};
