import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { toApiError } from './error-handler';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('toApiError', () => {
  it('Redis out of reach (what a real ioredis client raises) is 503 NOT_READY, not a 500', async () => {
    const redis = new Redis({ port: await closedPort(), maxRetriesPerRequest: 0, retryStrategy: () => 20 });
    redis.on('error', () => {}); // the refused connects; the command's own rejection is what is checked
    const err = await redis.get('k').catch((e: unknown) => e);
    redis.disconnect();
    expect(err).toBeInstanceOf(Error);
    expect(toApiError(err)).toMatchObject({ status: 503, code: 'NOT_READY' });
    expect(toApiError(new Error('a bug'))).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});
