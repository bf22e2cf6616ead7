import { z } from 'zod';
import { defineRoute } from './route';
import { blobHash } from './wire';

/** Raw bytes (application/octet-stream) in either direction, not JSON. */
const bytes = z.instanceof(Uint8Array);

export const blobRoutes = {
  /** 422 HASH_MISMATCH when the bytes hash to something else. */
  put: defineRoute({
    method: 'PUT',
    path: '/api/blobs/:hash',
    body: bytes,
    response: z.object({ hash: blobHash, size: z.number().int().min(0) }),
  }),
  /** 404 when the server has no such blob. */
  get: defineRoute({ method: 'GET', path: '/api/blobs/:hash', response: bytes }),
};
