import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal in-process S3-compatible server for tests: path-style PutObject, GetObject, HeadObject,
 * DeleteObject, ListObjectsV2 and the multipart calls (CreateMultipartUpload, UploadPart, ListParts,
 * ListMultipartUploads, CompleteMultipartUpload, AbortMultipartUpload — with S3's checks: parts in order, ETags
 * that match, every part but the last at least `minPartSize`) over in-memory maps; no signature checks.
 * Written here because the npm options (s3rver, last release 2021) are unmaintained. `failPutsAfter` makes it
 * drop the connection on the n+1-th PUT (objects and parts alike), to test a remote that dies mid-push.
 */
export interface S3TestServer {
  endpoint: string;
  /** Completed objects by `bucket/key`: only these are visible to GET, HEAD and listings. */
  objects: Map<string, Buffer>;
  /** Unfinished multipart uploads by upload id. */
  uploads: Map<string, PendingUpload>;
  /** PUTs accepted (objects and parts). */
  puts: number;
  failPutsAfter: number | null;
  /** S3's minimum size of a part other than the last. Default 5 MiB. */
  minPartSize: number;
  close(): Promise<void>;
}

export interface PendingUpload {
  bucket: string;
  key: string;
  initiated: Date;
  parts: Map<number, Buffer>;
}

export async function startS3TestServer(): Promise<S3TestServer> {
  const state: S3TestServer = {
    endpoint: '',
    objects: new Map(),
    uploads: new Map(),
    puts: 0,
    failPutsAfter: null,
    minPartSize: 5 * 1024 * 1024,
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
  if (handleMultipart(state, req, res, url, bucket, key, body)) return;
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

const md5hex = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** The multipart subset of the S3 API; false when the request is not one of its calls. */
function handleMultipart(
  state: S3TestServer,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  bucket: string,
  key: string,
  body: Buffer,
): boolean {
  const q = url.searchParams;
  const uploadId = q.get('uploadId');
  const upload = uploadId === null ? undefined : state.uploads.get(uploadId);
  const noSuchUpload = () => error(res, 404, 'NoSuchUpload', 'the upload does not exist (aborted or completed)');
  if (req.method === 'POST' && q.has('uploads')) {
    const id = randomBytes(12).toString('hex');
    state.uploads.set(id, { bucket, key, initiated: new Date(), parts: new Map() });
    xmlReply(
      res,
      `<InitiateMultipartUploadResult><Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
    );
    return true;
  }
  if (req.method === 'GET' && key === '' && q.has('uploads')) {
    const prefix = q.get('prefix') ?? '';
    const list = [...state.uploads.entries()]
      .filter(([, u]) => u.bucket === bucket && u.key.startsWith(prefix))
      .sort(([a, x], [b, y]) => (x.key === y.key ? (a < b ? -1 : 1) : x.key < y.key ? -1 : 1));
    xmlReply(
      res,
      `<ListMultipartUploadsResult><Bucket>${xml(bucket)}</Bucket><Prefix>${xml(prefix)}</Prefix><IsTruncated>false</IsTruncated>${list
        .map(
          ([id, u]) =>
            `<Upload><Key>${xml(u.key)}</Key><UploadId>${id}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`,
        )
        .join('')}</ListMultipartUploadsResult>`,
    );
    return true;
  }
  if (uploadId === null) return false;
  if (!upload || upload.bucket !== bucket || upload.key !== key) return noSuchUpload();
  if (req.method === 'PUT' && q.has('partNumber')) {
    if (state.failPutsAfter !== null && state.puts >= state.failPutsAfter) {
      req.socket.destroy();
      return true;
    }
    state.puts++;
    upload.parts.set(Number(q.get('partNumber')), body);
    res.setHeader('ETag', `"${md5hex(body)}"`);
    res.end();
    return true;
  }
  if (req.method === 'GET') {
    const parts = [...upload.parts.entries()].sort(([a], [b]) => a - b);
    xmlReply(
      res,
      `<ListPartsResult><Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts
        .map(
          ([n, b]) =>
            `<Part><PartNumber>${n}</PartNumber><ETag>&quot;${md5hex(b)}&quot;</ETag><Size>${b.length}</Size></Part>`,
        )
        .join('')}</ListPartsResult>`,
    );
    return true;
  }
  if (req.method === 'DELETE') {
    state.uploads.delete(uploadId);
    res.statusCode = 204;
    res.end();
    return true;
  }
  if (req.method === 'POST') {
    const listed = [...body.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
      n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1] ?? '')?.[1]),
      etag: (/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1] ?? '')?.[1] ?? '').replace(/&quot;/g, '"'),
    }));
    if (listed.length === 0) return error(res, 400, 'MalformedXML', 'no parts listed');
    const chunks: Buffer[] = [];
    for (const [i, p] of listed.entries()) {
      const part = upload.parts.get(p.n);
      if (i > 0 && p.n <= (listed[i - 1]?.n ?? 0)) return error(res, 400, 'InvalidPartOrder', 'parts out of order');
      if (!part || p.etag !== `"${md5hex(part)}"`) return error(res, 400, 'InvalidPart', `part ${p.n} is wrong`);
      if (i < listed.length - 1 && part.length < state.minPartSize)
        return error(res, 400, 'EntityTooSmall', `part ${p.n} is below the minimum size`);
      chunks.push(part);
    }
    const whole = Buffer.concat(chunks);
    state.objects.set(`${bucket}/${key}`, whole);
    state.uploads.delete(uploadId);
    const etag = `${createHash('md5')
      .update(Buffer.concat(chunks.map((c) => createHash('md5').update(c).digest())))
      .digest('hex')}-${chunks.length}`;
    xmlReply(
      res,
      `<CompleteMultipartUploadResult><Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><ETag>&quot;${etag}&quot;</ETag></CompleteMultipartUploadResult>`,
    );
    return true;
  }
  return false;
}

function xmlReply(res: ServerResponse, body: string): void {
  res.setHeader('Content-Type', 'application/xml');
  res.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
}

/** Sends an S3 error document; true (the request was handled). */
function error(res: ServerResponse, status: number, code: string, message: string): true {
  res.statusCode = status;
  xmlReply(res, `<Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`);
  return true;
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
