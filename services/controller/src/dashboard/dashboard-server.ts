import type { Server } from 'node:http';
import { accessRoutes, type SweepAction, sweepRoutes, trialRoutes } from '@hyperfleet/contract';
import type { RuntimeHooks } from '@hyperfleet/engine';
import { type Logger, silentLogger } from '@hyperfleet/engine';
import type { TrackingStore } from '@hyperfleet/store';
import { closeAll, type LogStream } from '@hyperfleet/transport';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '../api-error';
import { boundAddress } from '../bound-address';
import { errorHandler } from '../error-handler';
import { authenticate, principalOf } from '../http-auth';
import { guardPath } from '../request-guards';
import { reply } from '../route-io';
import { securityHeaders } from '../security-headers';
import type { TokenRegistry } from '../token-auth';
import { DashboardGateway } from './dashboard-gateway';
import { staticUi } from './static-ui';

export type EmbeddedSweepAction = Exclude<SweepAction, 'retry-failed'>;
const ACTIONS: readonly EmbeddedSweepAction[] = ['pause', 'resume', 'stop', 'cancel'];

export interface DashboardServerOptions {
  store: TrackingStore;
  logs: LogStream;
  /** null (the default): open, for localhost. */
  tokens?: TokenRegistry | null;
  /** A port, or 0 for a free one. */
  port: number;
  host?: string;
  /** When the port is taken, take a free one instead of failing. */
  fallbackToFreePort?: boolean;
  staticDir?: string;
  /** The sweep's controls (pause/resume/stop/cancel), as POST /api/sweeps/:id/<action> like the controller's API. */
  control?: (sweepId: string, action: EmbeddedSweepAction) => Promise<void>;
  /** Stops one running trial (POST /api/trials/:id/stop); it ends as `stopped` with the reason given. */
  stopTrial?: (trialId: string) => Promise<void>;
  allowOrigins?: string[];
  log?: Logger;
}

export interface DashboardServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Give these to the sweep runner: they feed the gateway. */
  hooks: RuntimeHooks;
  gateway: DashboardGateway;
  close(): Promise<void>;
}

/**
 * The dashboard without a controller (embedded `hyperfleet run --dashboard`): the UI's static build, the
 * socket.io gateway fed by the in-process runner's hooks, and the sweep controls. No agent or submit routes.
 */
export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const log = opts.log ?? silentLogger;
  const gateway = new DashboardGateway({
    store: opts.store,
    logs: opts.logs,
    tokens: opts.tokens ?? null,
    log,
    ...(opts.allowOrigins ? { allowOrigins: opts.allowOrigins } : {}),
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders(), guardPath);
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Open controls on localhost must not be reachable from other web pages: a cross-site form cannot send JSON,
  // and a cross-origin fetch that does is preflighted (and refused); a foreign Origin is refused outright.
  app.use('/api', (req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const origin = req.get('origin');
    const allowed = opts.allowOrigins ?? [];
    if (
      origin !== undefined &&
      !allowed.includes('*') &&
      !allowed.includes(origin) &&
      hostOf(origin) !== req.get('host')
    ) {
      throw new ApiError(403, 'FORBIDDEN', 'controls are accepted from this dashboard’s own pages only');
    }
    if (!req.is('application/json')) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send Content-Type: application/json');
    }
    next();
  });
  // What the page may do: everything without tokens; with tokens the controls here are closed, so only read.
  app.get(accessRoutes.me.path, authenticate(opts.tokens ?? null), (_req: Request, res: Response) => {
    const p = principalOf(res);
    const projects = opts.tokens
      ? Object.fromEntries(Object.keys(p.projects).map((project) => [project, 'read' as const]))
      : { ...p.projects };
    reply(res, accessRoutes.me, { name: p.name, projects, worker: false, auth: !!opts.tokens });
  });
  for (const action of ACTIONS) {
    app.post(sweepRoutes.control.path.replace(':action', action), async (req: Request, res: Response) => {
      if (opts.tokens)
        throw new ApiError(403, 'FORBIDDEN', 'controls are open only on an embedded dashboard without tokens');
      if (!opts.control) throw new ApiError(404, 'NOT_FOUND', 'this dashboard has no controls');
      const id = String(req.params.id);
      if (!(await opts.store.getSweep(id))) throw new ApiError(404, 'NOT_FOUND', `no sweep ${id}`);
      await opts.control(id, action);
      const sweep = await opts.store.getSweep(id);
      if (!sweep) throw new ApiError(404, 'NOT_FOUND', `no sweep ${id}`);
      reply(res, sweepRoutes.control, { sweep });
    });
  }
  app.post(trialRoutes.stop.path, async (req: Request, res: Response) => {
    if (opts.tokens)
      throw new ApiError(403, 'FORBIDDEN', 'controls are open only on an embedded dashboard without tokens');
    if (!opts.stopTrial) throw new ApiError(404, 'NOT_FOUND', 'this dashboard has no controls');
    const id = String(req.params.id);
    const trial = await opts.store.getTrial(id);
    if (!trial) throw new ApiError(404, 'NOT_FOUND', `no trial ${id}`);
    if (trial.status !== 'running' && trial.status !== 'queued') {
      throw new ApiError(409, 'TRIAL_ENDED', `trial ${id} has already ended (${trial.status})`);
    }
    await opts.stopTrial(id);
    reply(res, trialRoutes.stop, { trial: await opts.store.getTrial(id) });
  });
  app.use(staticUi(opts.staticDir));
  app.use((req: Request) => {
    throw new ApiError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`);
  });
  app.use(errorHandler(log));

  const host = opts.host ?? '127.0.0.1';
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, host);
      s.once('listening', () => resolve(s));
      s.once('error', reject);
    });
  let server: Server;
  try {
    server = await listen(opts.port);
  } catch (err) {
    if (!opts.fallbackToFreePort || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    server = await listen(0);
  }
  await gateway.attach(server);
  const { url } = boundAddress(server);
  let closing: Promise<void> | null = null;
  return {
    url,
    hooks: gateway.hooks,
    gateway,
    close() {
      closing ??= closeAll(
        'dashboard server',
        [
          () => gateway.close(),
          () =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeIdleConnections();
              setTimeout(() => server.closeAllConnections(), 500).unref();
            }),
        ],
        5000,
      );
      return closing;
    },
  };
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
