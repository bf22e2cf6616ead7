import { blobRoutes as api } from '@hyperfleet/contract';
import { sha256Address } from '@hyperfleet/lineage';
import express, { type Request, type Response, Router } from 'express';
import { ApiError, notFound } from './api-error';
import type { AppDeps } from './app-deps';
import { requireRole } from './http-auth';
import { reply } from './route-io';

const HASH = /^sha256:[0-9a-f]{64}$/;

/**
 * Content-addressed blobs (pinned diffs, git bundles of unpushed commits) as raw bytes: submitters put,
 * agents get. A blob is its hash, so a PUT whose bytes hash to something else is refused.
 */
export function blobRoutes(deps: AppDeps): Router {
  const r = Router();
  const { store, tokens } = deps;
  const raw = express.raw({ type: () => true, limit: deps.blobLimit ?? '512mb' });

  r.put(api.put.path, requireRole(tokens, 'submit'), raw, async (req: Request, res: Response) => {
    const hash = requireHash(String(req.params.hash));
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const actual = sha256Address(bytes);
    if (actual !== hash) {
      throw new ApiError(422, 'HASH_MISMATCH', `the ${bytes.length} bytes sent hash to ${actual}, not ${hash}`, {
        hint: 'send the blob’s exact bytes (Content-Type: application/octet-stream)',
      });
    }
    await store.lineage().putBlob(hash, bytes);
    reply(res, api.put, { hash, size: bytes.length }, 201);
  });

  r.get(api.get.path, requireRole(tokens, 'read'), async (req: Request, res: Response) => {
    const hash = requireHash(String(req.params.hash));
    const bytes = await store.lineage().getBlob(hash);
    if (!bytes) throw notFound(`blob ${hash}`, 'blobs are uploaded by `hyperfleet sweep submit` before the sweep');
    res.type('application/octet-stream').send(bytes);
  });
  return r;
}

function requireHash(hash: string): string {
  if (HASH.test(hash)) return hash;
  throw new ApiError(422, 'INVALID_HASH', `"${hash.slice(0, 100)}" is not a blob hash`, {
    hint: 'blob hashes look like sha256:<64 hex digits>',
  });
}
