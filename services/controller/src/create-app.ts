import express, { type Express, type Request, type Response } from 'express';
import { agentRoutes } from './agent-routes';
import { ApiError } from './api-error';
import type { AppDeps } from './app-deps';
import { blobRoutes } from './blob-routes';
import { errorHandler } from './error-handler';
import { healthRoutes } from './health-routes';
import { silentLogger } from './logger';
import { sweepRoutes } from './sweep-routes';
import { trialRoutes } from './trial-routes';

/**
 * The controller's HTTP API (API.md) as an express app; tests listen on port 0. NaN and ±Infinity are
 * written as the strings "NaN", "Infinity", "-Infinity" (plain JSON would turn them into null).
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('json replacer', (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
  app.use(express.json({ limit: deps.bodyLimit ?? '1mb' }));
  app.use(healthRoutes(deps));
  app.use('/api', sweepRoutes(deps), trialRoutes(deps), agentRoutes(deps), blobRoutes(deps));
  app.use((req: Request, _res: Response) => {
    throw new ApiError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`, {
      hint: 'see services/controller/API.md',
    });
  });
  app.use(errorHandler(deps.log ?? silentLogger));
  return app;
}
