import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal in-process S3-compatible server for tests: path-style PutObject, GetObject, HeadObject,
 * DeleteObject and ListObjectsV2 over an in-memory map; no signature checks. Written here because the
 * npm options (s3rver, last release 2021) are unmaintained. `failPutsAfter` makes it drop the
 * connection on the n+1-th PUT, to test a remote that dies mid-push.
 */
export interface S3TestServer {
  endpoint: string;
  objects: Map<string, Buffer>;
  puts: number;
  failPutsAfter: number | null;
  close(): Promise<void>;
}

export async function startS3TestServer(): Promise<S3TestServer> {
  const state: S3TestServer = {
    endpoint: '',
    objects: new Map(),
    puts: 0,
    failPutsAfter: null,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    void handle(state, req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.endpoint = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

async function handle(state: S3TestServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const id = `${bucket}/${key}`;
  const body = await readBody(req);
  if (req.method === 'PUT') {
    if (state.failPutsAfter !== null && state.puts >= state.failPutsAfter) {
      req.socket.destroy(); // the remote goes away mid-transfer
      return;
    }
    state.puts++;
    state.objects.set(id, body);
    res.setHeader('ETag', `"${createHash('md5').update(body).digest('hex')}"`);
    res.end();
    return;
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && key !== '') {
    const obj = state.objects.get(id);
    if (!obj) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/xml');
      res.end(req.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code><Message>not found</Message></Error>');
      return;
    }
    res.setHeader('Content-Length', obj.length);
    res.setHeader('ETag', `"${createHash('md5').update(obj).digest('hex')}"`);
    res.end(req.method === 'HEAD' ? undefined : obj);
    return;
  }
  if (req.method === 'DELETE') {
    state.objects.delete(id);
    res.statusCode = 204;
    res.end();
    return;
  }
  if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
    const prefix = url.searchParams.get('prefix') ?? '';
    const max = Number(url.searchParams.get('max-keys') ?? 1000);
    const after = url.searchParams.get('continuation-token') ?? '';
    const keys = [...state.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/`))
      .map((k) => k.slice(bucket.length + 1))
      .filter((k) => k.startsWith(prefix) && k > after)
      .sort();
    const page = keys.slice(0, max);
    const truncated = keys.length > page.length;
    res.setHeader('Content-Type', 'application/xml');
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${page
        .map(
          (k) =>
            `<Contents><Key>${xml(k)}</Key><Size>${state.objects.get(`${bucket}/${k}`)?.length ?? 0}</Size></Contents>`,
        )
        .join(
          '',
        )}${truncated ? `<NextContinuationToken>${xml(page[page.length - 1] ?? '')}</NextContinuationToken>` : ''}</ListBucketResult>`,
    );
    return;
  }
  res.statusCode = 400;
  res.end();
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
