import { errorText } from '@hyperfleet/engine';
import { withTimeout } from '@hyperfleet/transport';
import { type Request, type Response, Router } from 'express';
import type { AppDeps } from './app-deps';

const READY_TIMEOUT_MS = 2000;

/**
 * Unauthenticated probes: liveness, readiness (store + Redis answer, and what Redis keeps across a restart),
 * Prometheus metrics.
 */
export function healthRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/healthz', (_req: Request, res: Response) => {
    res.json({ ok: true });
  });

  r.get('/readyz', async (_req: Request, res: Response) => {
    const checks = await Promise.allSettled([
      withTimeout(deps.store.listSweeps({ limit: 1 }), READY_TIMEOUT_MS, 'store ping'),
      withTimeout(deps.coordination.ping(), READY_TIMEOUT_MS, 'redis ping'),
    ]);
    const [store, redis] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : errorText(c.reason)));
    // What the dashboard and probes need to know about this server: its data at risk, its API open to all.
    const durability = {
      ...(deps.redis ? { redisPersistence: deps.redis } : {}),
      ...(deps.insecure ? { insecure: true } : {}),
    };
    if (store === 'ok' && redis === 'ok') {
      res.json({ ok: true, ...durability });
      return;
    }
    res.status(503).json({
      error: {
        code: 'NOT_READY',
        message: 'a dependency does not answer',
        hint: 'check the store and Redis',
        checks: { store, redis },
        ...durability,
      },
    });
  });

  r.get('/metrics', async (_req: Request, res: Response) => {
    const registry = deps.metrics.registry;
    res.type(registry.contentType).send(await registry.metrics());
  });
  return r;
}
