import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blobRoutes as api } from '@hyperfleet/contract';
import { type Request, type Response, Router } from 'express';
import { ApiError, notFound } from './api-error';
import type { AppDeps } from './app-deps';
import { authenticate, principalOf, requireSubmitter } from './http-auth';
import { isFleetAdmin } from './principal';
import { reply } from './route-io';

const HASH = /^sha256:[0-9a-f]{64}$/;

/**
 * Content-addressed blobs (pinned diffs, git bundles of unpushed commits) as raw bytes: submitters put,
 * agents get. A blob is its hash, so a PUT whose bytes hash to something else is refused.
 */
export function blobRoutes(deps: AppDeps): Router {
  const r = Router();
  const { store, tokens } = deps;
  const max = deps.limits.maxBlobBytes;

  const auth = authenticate(tokens);
  // Blobs are uploaded before the sweep that names them: any project the token submits to will do.
  r.put(api.put.path, auth, requireSubmitter, async (req: Request, res: Response) => {
    const hash = requireHash(String(req.params.hash));
    const declared = Number(req.get('content-length') ?? Number.NaN);
    if (declared > max) throw tooLarge(max);
    // Hashed and counted on the way to a temporary file: a refused upload never sits in memory whole.
    const dir = await mkdtemp(join(tmpdir(), 'hyperfleet-blob-'));
    try {
      const file = join(dir, 'blob');
      const { size, actual } = await receive(req, file, max);
      if (actual !== hash) {
        throw new ApiError(422, 'HASH_MISMATCH', `the ${size} bytes sent hash to ${actual}, not ${hash}`, {
          hint: 'send the blob’s exact bytes (Content-Type: application/octet-stream)',
        });
      }
      // The store keeps a blob as one value: only a verified blob within the cap is read back for it.
      await store.lineage().putBlob(hash, await readFile(file));
      reply(res, api.put, { hash, size }, 201);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  r.get(api.get.path, auth, async (req: Request, res: Response) => {
    const hash = requireHash(String(req.params.hash));
    const p = principalOf(res);
    // Agents fetch the blobs of the trials they run; a blob is not tied to one project, so a team's token
    // cannot read it (it may hold another team's code).
    const bytes = p.worker || isFleetAdmin(p) ? await store.lineage().getBlob(hash) : null;
    if (!bytes) throw notFound(`blob ${hash}`, 'blobs are uploaded by `hyperfleet sweep submit` before the sweep');
    res.type('application/octet-stream').send(bytes);
  });
  return r;
}

/**
 * Streams the request body into `file`: its size and sha256 address. Past `max` bytes the rest is read and
 * dropped (the client gets its 413 instead of a reset connection), then 413.
 */
async function receive(req: Request, file: string, max: number): Promise<{ size: number; actual: string }> {
  const digest = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > max) return done();
      digest.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(req, meter, createWriteStream(file));
  } catch (err) {
    // The client went away mid-upload: nobody to answer, and not the server's fault (no error log line).
    if (req.destroyed || req.readableAborted) {
      throw new ApiError(400, 'UPLOAD_ABORTED', `the upload ended after ${size} bytes`, {
        hint: 'send the blob again',
      });
    }
    throw err;
  }
  if (size > max) throw tooLarge(max);
  return { size, actual: `sha256:${digest.digest('hex')}` };
}

function tooLarge(max: number): ApiError {
  return new ApiError(413, 'PAYLOAD_TOO_LARGE', `the blob is over this server's limit of ${max} bytes`, {
    hint: 'pin less (commit or ignore large files) or raise the server’s --max-blob-size',
    details: { limit: max },
  });
}

function requireHash(hash: string): string {
  if (HASH.test(hash)) return hash;
  throw new ApiError(422, 'INVALID_HASH', `"${hash.slice(0, 100)}" is not a blob hash`, {
    hint: 'blob hashes look like sha256:<64 hex digits>',
  });
}
