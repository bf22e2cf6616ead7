import { wireReplacer } from '@hyperfleet/contract';
import { silentLogger } from '@hyperfleet/engine';
import express, { type Express, type Request, type Response } from 'express';
import { accessRoutes } from './access-routes';
import { agentRoutes } from './agent-routes';
import { ApiError } from './api-error';
import { rateLimiter } from './api-limits';
import type { AppDeps } from './app-deps';
import { blobRoutes } from './blob-routes';
import { staticUi } from './dashboard/static-ui';
import { errorHandler } from './error-handler';
import { healthRoutes } from './health-routes';
import { modelRoutes } from './model-routes';
import { guardJsonBody, guardPath } from './request-guards';
import { securityHeaders } from './security-headers';
import { sweepRoutes } from './sweep-routes';
import { trialRoutes } from './trial-routes';

/** On every dashboard page of a server started with --insecure-no-auth. */
export const INSECURE_BANNER =
  'Insecure: this server was started with --insecure-no-auth and serves its API without tokens to everyone who can reach it.';

export interface AppOptions {
  /** Serve the dashboard's static build at `/` (SPA routes → index.html); null/absent: API only. */
  dashboard?: { staticDir?: string } | null;
}

/**
 * The controller's HTTP API (API.md) as an express app; tests listen on port 0. NaN and ±Infinity are
 * written as the strings "NaN", "Infinity", "-Infinity" (plain JSON would turn them into null).
 */
export function createApp(deps: AppDeps, opts: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('json replacer', wireReplacer);
  app.use(securityHeaders(), guardPath);
  app.use(healthRoutes(deps));
  const limiter = rateLimiter(deps.limits, deps.tokens);
  if (limiter) app.use('/api', limiter);
  app.use(express.json({ limit: deps.limits.maxBodyBytes }), guardJsonBody);
  // The routers' paths are the contract's (`/api/...`).
  app.use(sweepRoutes(deps), trialRoutes(deps), agentRoutes(deps), blobRoutes(deps));
  app.use(accessRoutes(deps), modelRoutes(deps));
  // After /api: an unknown API path stays a JSON 404, never the UI's index.html.
  if (opts.dashboard) app.use(staticUi(opts.dashboard.staticDir, deps.insecure ? { banner: INSECURE_BANNER } : {}));
  app.use((req: Request, _res: Response) => {
    throw new ApiError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`, {
      hint: 'see services/controller/API.md',
    });
  });
  app.use(errorHandler(deps.log ?? silentLogger));
  return app;
}
