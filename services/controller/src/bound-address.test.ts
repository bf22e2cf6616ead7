import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { boundAddress, isLoopbackHost } from './bound-address';

describe('isLoopbackHost', () => {
  it('only loopback names and addresses are loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of ['0.0.0.0', '::', '[::]', '10.0.0.5', '192.168.1.2', 'example.com', '127.0.0.1.nip.io', '']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });
});

describe('boundAddress', () => {
  it('says the wildcard the socket really has, and a loopback URL to reach it', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    try {
      const { url, bound } = boundAddress(server);
      expect(bound).toMatch(/^0\.0\.0\.0:\d+$/);
      expect(url).toBe(`http://127.0.0.1:${bound.split(':')[1]}`);
    } finally {
      server.close();
    }
  });
});
