import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '@hyperfleet/scheduler';
import type { TrackingStore } from '@hyperfleet/store';
import { closeAll, type Transport } from '@hyperfleet/transport';
import type { Express } from 'express';
import type { AgentSettings } from './app-deps';
import { ControllerMetrics } from './controller-metrics';
import type { Coordination } from './coordination';
import { createApp } from './create-app';
import { type Logger, silentLogger } from './logger';
import type { RuntimeHooks } from './runtime-hooks';
import { SweepRuntime, type SweepRuntimeOptions } from './sweep-runtime';
import type { TokenRegistry } from './token-auth';

type RuntimeTuning = Omit<
  SweepRuntimeOptions,
  'store' | 'transport' | 'coordination' | 'hooks' | 'meter' | 'log' | 'clock'
>;

export interface ControllerOptions {
  store: TrackingStore;
  transport: Transport;
  coordination: Coordination;
  tokens: TokenRegistry | null;
  agents: Omit<AgentSettings, 'heartbeatMs'> & { heartbeatMs?: number };
  /** Base of dashboard URLs; default: the address `listen()` bound. */
  publicUrl?: string;
  hooks?: RuntimeHooks;
  runtime?: RuntimeTuning;
  bodyLimit?: string | number;
  clock?: Clock;
  log?: Logger;
  /** Close the store, transport and coordination with the controller (the CLI hands them over). */
  ownsDeps?: boolean;
  /** Bounds `close()`. Default 10 s. */
  closeTimeoutMs?: number;
}

export interface Controller {
  app: Express;
  runtime: SweepRuntime;
  metrics: ControllerMetrics;
  /** Starts the sweep runtime (recovers running sweeps) and listens; port 0 picks a free port. */
  listen(port: number, host?: string): Promise<{ url: string; server: Server }>;
  close(): Promise<void>;
}

/** Wires runtime, metrics and the express app together; the pieces stay injectable for tests. */
export function createController(opts: ControllerOptions): Controller {
  const log = opts.log ?? silentLogger;
  const heartbeatMs = opts.agents.heartbeatMs ?? 5000;
  let runtimeRef: SweepRuntime | null = null;
  const metrics = new ControllerMetrics({
    store: opts.store,
    queue: opts.transport.queue,
    coordination: opts.coordination,
    leading: () => runtimeRef?.leading() ?? [],
    heartbeatMs,
    ...(opts.clock ? { now: () => opts.clock!.now() } : {}),
  });
  const runtime = new SweepRuntime({
    ...opts.runtime,
    store: opts.store,
    transport: opts.transport,
    coordination: opts.coordination,
    meter: metrics,
    log,
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  runtimeRef = runtime;
  let publicUrl = opts.publicUrl ?? '';
  const app = createApp({
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
    log,
    ...(opts.bodyLimit === undefined ? {} : { bodyLimit: opts.bodyLimit }),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  let server: Server | null = null;
  let closing: Promise<void> | null = null;

  return {
    app,
    runtime,
    metrics,
    async listen(port, host) {
      await runtime.start();
      const s = host === undefined ? app.listen(port) : app.listen(port, host);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('listening', resolve);
        s.once('error', reject);
      });
      const addr = s.address() as AddressInfo;
      const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      const url = `http://${shown === '0.0.0.0' || shown === '[::]' ? '127.0.0.1' : shown}:${addr.port}`;
      if (publicUrl === '') publicUrl = url;
      return { url, server: s };
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
          ],
          timeout,
        );
        if (opts.ownsDeps) {
          await closeAll(
            'controller dependencies',
            [() => opts.transport.close(), () => opts.coordination.close(), () => opts.store.close()],
            timeout,
          );
        }
      })();
      return closing;
    },
  };
}
