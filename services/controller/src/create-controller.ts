import type { Server } from 'node:http';
import type { Clock, RuntimeHooks } from '@hyperfleet/engine';
import { composeHooks, type Logger, silentLogger } from '@hyperfleet/engine';
import type { TrackingStore } from '@hyperfleet/store';
import { closeAll, type Transport } from '@hyperfleet/transport';
import type { Express } from 'express';
import { type ApiLimits, DEFAULT_LIMITS } from './api-limits';
import type { AgentSettings, AppDeps } from './app-deps';
import { boundAddress } from './bound-address';
import { ControllerMetrics } from './controller-metrics';
import type { Coordination } from './coordination';
import { createApp } from './create-app';
import { DashboardGateway } from './dashboard/dashboard-gateway';
import { SweepLeases, type SweepLeasesOptions } from './sweep-leases';
import type { TokenRegistry } from './token-auth';

type RuntimeTuning = Omit<
  SweepLeasesOptions,
  'store' | 'transport' | 'coordination' | 'hooks' | 'meter' | 'log' | 'clock'
>;

export interface ControllerOptions {
  store: TrackingStore;
  transport: Transport;
  coordination: Coordination;
  tokens: TokenRegistry | null;
  agents: Omit<AgentSettings, 'heartbeatMs'> & { heartbeatMs?: number };
  redis?: AppDeps['redis'];
  /** Base of dashboard URLs; default: the address `listen()` bound. */
  publicUrl?: string;
  hooks?: RuntimeHooks;
  runtime?: RuntimeTuning;
  /** Caps on requests; the rest stay DEFAULT_LIMITS. */
  limits?: Partial<ApiLimits>;
  /** Served to the network without tokens (`--insecure-no-auth`): /readyz and every dashboard page say so. */
  insecure?: boolean;
  clock?: Clock;
  log?: Logger;
  /** Close the store, transport and coordination with the controller (the CLI hands them over). */
  ownsDeps?: boolean;
  /** Bounds `close()`. Default 10 s. */
  closeTimeoutMs?: number;
  /**
   * The live dashboard: socket.io gateway on the API's server and the UI's static build at `/`
   * (default services/dashboard/dist). `redis` = the replicas' Redis (socket.io Redis adapter).
   * Default on; false = API only.
   */
  dashboard?: DashboardOptions | false;
}

export interface DashboardOptions {
  staticDir?: string;
  redis?: { url: string; prefix: string } | null;
  /** Browser origins allowed to open the socket besides the server's own (a Vite dev server); '*' = any. */
  allowOrigins?: string[];
  /** Points flush interval (ms). Default 150. */
  flushMs?: number;
  statusPollMs?: number;
  logPollMs?: number;
}

export interface Controller {
  app: Express;
  runtime: SweepLeases;
  metrics: ControllerMetrics;
  /** The dashboard's socket.io gateway (null with `dashboard: false`). */
  dashboard: DashboardGateway | null;
  /** Starts the sweep runtime (recovers running sweeps) and listens; port 0 picks a free port. */
  listen(port: number, host?: string): Promise<{ url: string; bound: string; server: Server }>;
  close(): Promise<void>;
}

/** Wires runtime, metrics and the express app together; the pieces stay injectable for tests. */
export function createController(opts: ControllerOptions): Controller {
  const log = opts.log ?? silentLogger;
  const heartbeatMs = opts.agents.heartbeatMs ?? 5000;
  let runtimeRef: SweepLeases | null = null;
  const metrics = new ControllerMetrics({
    store: opts.store,
    queue: opts.transport.queue,
    coordination: opts.coordination,
    leading: () => runtimeRef?.leading() ?? [],
    held: () => runtimeRef?.heldJobs() ?? [],
    heartbeatMs,
    ...(opts.clock ? { now: () => opts.clock!.now() } : {}),
  });
  let publicUrl = opts.publicUrl ?? '';
  const dash = opts.dashboard === false ? null : (opts.dashboard ?? {});
  const dashboard = dash
    ? new DashboardGateway({
        store: opts.store,
        logs: opts.transport.logs,
        tokens: opts.tokens,
        log,
        redis: dash.redis ?? null,
        serverUrl: () => (opts.agents.redisUrl === null || publicUrl === '' ? null : publicUrl),
        ...(dash.allowOrigins ? { allowOrigins: dash.allowOrigins } : {}),
        ...(dash.flushMs === undefined ? {} : { flushMs: dash.flushMs }),
        ...(dash.statusPollMs === undefined ? {} : { statusPollMs: dash.statusPollMs }),
        ...(dash.logPollMs === undefined ? {} : { logPollMs: dash.logPollMs }),
      })
    : null;
  const hooks = dashboard ? composeHooks(opts.hooks, dashboard.hooks) : opts.hooks;
  const runtime = new SweepLeases({
    ...opts.runtime,
    store: opts.store,
    transport: opts.transport,
    coordination: opts.coordination,
    meter: metrics,
    log,
    ...(hooks ? { hooks } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  runtimeRef = runtime;
  const app = createApp(
    {
      store: opts.store,
      transport: opts.transport,
      coordination: opts.coordination,
      runtime,
      metrics,
      tokens: opts.tokens,
      get publicUrl() {
        return publicUrl;
      },
      agents: { ...opts.agents, heartbeatMs },
      ...(opts.redis ? { redis: opts.redis } : {}),
      log,
      limits: { ...DEFAULT_LIMITS, ...opts.limits },
      ...(opts.insecure ? { insecure: true } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    },
    { dashboard: dash ? { ...(dash.staticDir ? { staticDir: dash.staticDir } : {}) } : null },
  );
  let server: Server | null = null;
  let closing: Promise<void> | null = null;

  return {
    app,
    runtime,
    metrics,
    dashboard,
    async listen(port, host) {
      await runtime.start();
      const s = host === undefined ? app.listen(port) : app.listen(port, host);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('listening', resolve);
        s.once('error', reject);
      });
      await dashboard?.attach(s);
      const { url, bound } = boundAddress(s);
      if (publicUrl === '') publicUrl = url;
      return { url, bound, server: s };
    },
    close() {
      closing ??= (async () => {
        const timeout = opts.closeTimeoutMs ?? 10_000;
        await closeAll(
          'controller',
          [
            () =>
              new Promise<void>((resolve) => {
                if (!server) return resolve();
                server.close(() => resolve());
                // Long-polls (logs ?wait=) would hold close() open: cut idle and waiting connections.
                server.closeIdleConnections();
                setTimeout(() => server?.closeAllConnections(), Math.min(1000, timeout / 2)).unref();
              }),
            () => runtime.close(),
            () => dashboard?.close(),
          ],
          timeout,
        );
        if (opts.ownsDeps) {
          await closeAll(
            'controller dependencies',
            [
              () => opts.transport.close(),
              () => opts.coordination.close(),
              () => opts.agents.credentials?.close(),
              () => opts.store.close(),
            ],
            timeout,
          );
        }
      })();
      return closing;
    },
  };
}
