import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type DataRemote, md5OfKey, objectKey } from './data-remote';
import { LineageError } from './lineage-error';
import { md5File } from './md5-file';

const MiB = 1024 * 1024;
/** S3's limits: parts of 5 MiB at least (but the last), 10,000 parts at most. */
const MIN_PART = 5 * MiB;
const MAX_PARTS = 10_000;

export interface S3RemoteOptions {
  /** S3-compatible endpoint (MinIO, R2, Ceph…). Default: $HYPERFLEET_S3_ENDPOINT, $AWS_ENDPOINT_URL, or AWS. */
  endpoint?: string;
  region?: string;
  /** Credentials; default: the AWS SDK's chain (env, profile, instance role). Never stored or printed. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per request (the SDK's retry). Default 3. */
  maxAttempts?: number;
  /**
   * Objects of this many bytes or more go up as a multipart upload (resumable part by part). Default 64 MiB,
   * or $HYPERFLEET_S3_MULTIPART_THRESHOLD (bytes).
   */
  multipartThreshold?: number;
  /** Part size of a multipart upload (S3 needs ≥ 5 MiB; grown to stay within 10,000 parts). Default 64 MiB. */
  partSize?: number;
  /** Parts uploaded at once. Default 4. */
  partConcurrency?: number;
}

/** `s3://bucket/prefix` on S3 or any S3-compatible store, through @aws-sdk/client-s3. */
export class S3Remote implements DataRemote {
  readonly url: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly partConcurrency: number;

  constructor(url: string, opts: S3RemoteOptions = {}) {
    const u = new URL(url);
    this.bucket = u.hostname;
    this.prefix = u.pathname.replace(/^\/+|\/+$/g, '');
    this.url = `s3://${this.bucket}/${this.prefix}`;
    const endpoint = opts.endpoint ?? process.env.HYPERFLEET_S3_ENDPOINT ?? process.env.AWS_ENDPOINT_URL;
    const config: S3ClientConfig = {
      region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
      maxAttempts: opts.maxAttempts ?? 3,
      // No default CRC trailers (aws-chunked bodies): many S3-compatible servers reject them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Custom endpoints (MinIO and friends) usually want path-style bucket addressing.
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    };
    this.client = new S3Client(config);
    const envThreshold = Number(process.env.HYPERFLEET_S3_MULTIPART_THRESHOLD);
    this.multipartThreshold =
      opts.multipartThreshold ?? (Number.isFinite(envThreshold) && envThreshold > 0 ? envThreshold : 64 * MiB);
    this.partSize = Math.max(MIN_PART, opts.partSize ?? 64 * MiB);
    this.partConcurrency = Math.max(1, opts.partConcurrency ?? 4);
  }

  private key(md5: string): string {
    return this.prefix ? `${this.prefix}/${objectKey(md5)}` : objectKey(md5);
  }

  async has(md5: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(md5) }));
      return true;
    } catch (err) {
      if (status(err) === 404) return false;
      throw this.unreachable(err);
    }
  }

  async put(md5: string, file: string): Promise<void> {
    const { size } = await stat(file);
    try {
      if (size >= this.multipartThreshold) {
        await this.putMultipart(this.key(md5), file, size);
        return;
      }
      // One PutObject per object: S3 makes it visible only when complete, so no partial object exists.
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(md5),
          Body: createReadStream(file),
          ContentLength: size,
        }),
      );
    } catch (err) {
      throw this.unreachable(err);
    }
  }

  /**
   * A large object as a multipart upload. Nothing is visible under `key` until CompleteMultipartUpload, so an
   * interrupted upload never leaves a partial object; it is not aborted either: the next push finds it
   * (ListMultipartUploads), keeps the parts already there whose size and MD5 (the part's ETag) match the file,
   * and uploads only the rest — a resumed 10 GiB push does not start over (a part whose ETag is not its MD5,
   * as with SSE-KMS, is simply sent again). Written on the SDK's commands
   * rather than @aws-sdk/lib-storage's `Upload`, which aborts on failure and cannot pick an upload up again.
   */
  private async putMultipart(key: string, file: string, size: number): Promise<void> {
    const partSize = Math.max(this.partSize, Math.ceil(size / MAX_PARTS));
    const count = Math.ceil(size / partSize);
    const { uploadId, parts: existing } = await this.openUpload(key);
    const etags = new Map<number, string>();
    let next = 1;
    let failure: { err: unknown } | null = null;
    const uploadPart = async (n: number) => {
      const start = (n - 1) * partSize;
      const end = Math.min(size, start + partSize); // exclusive
      const have = existing.get(n);
      if (have && have.size === end - start && have.etag === `"${await md5File(file, { start, end: end - 1 })}"`) {
        etags.set(n, have.etag);
        return;
      }
      const res = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: n,
          Body: createReadStream(file, { start, end: end - 1 }),
          ContentLength: end - start,
        }),
      );
      if (!res.ETag) throw new Error(`the remote returned no ETag for part ${n}`);
      etags.set(n, res.ETag);
    };
    // A few parts at a time; after the first failure no new part starts, and the ones in flight are waited for.
    const worker = async () => {
      while (failure === null && next <= count) {
        const n = next++;
        try {
          await uploadPart(n);
        } catch (err) {
          failure ??= { err };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.partConcurrency, count) }, worker));
    if (failure !== null) throw (failure as { err: unknown }).err;
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: Array.from({ length: count }, (_, i) => ({ PartNumber: i + 1, ETag: etags.get(i + 1) })),
        },
      }),
    );
  }

  /** The newest unfinished upload of `key` and its parts (older ones are aborted), or a new upload. */
  private async openUpload(
    key: string,
  ): Promise<{ uploadId: string; parts: Map<number, { etag: string; size: number }> }> {
    const uploads: { id: string; initiated: number }[] = [];
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    do {
      const res = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: key,
          KeyMarker: keyMarker,
          UploadIdMarker: idMarker,
        }),
      );
      for (const u of res.Uploads ?? []) {
        if (u.Key === key && u.UploadId) uploads.push({ id: u.UploadId, initiated: u.Initiated?.getTime() ?? 0 });
      }
      keyMarker = res.IsTruncated ? res.NextKeyMarker : undefined;
      idMarker = res.IsTruncated ? res.NextUploadIdMarker : undefined;
    } while (keyMarker);
    uploads.sort((a, b) => b.initiated - a.initiated);
    const [latest, ...stale] = uploads;
    for (const u of stale) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: u.id }))
        .catch(() => undefined); // best effort: a leftover costs storage, not correctness
    }
    const parts = new Map<number, { etag: string; size: number }>();
    if (latest) {
      let marker: string | undefined;
      do {
        const res = await this.client.send(
          new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: latest.id, PartNumberMarker: marker }),
        );
        for (const p of res.Parts ?? []) {
          if (p.PartNumber !== undefined && p.ETag && p.Size !== undefined)
            parts.set(p.PartNumber, { etag: p.ETag, size: p.Size });
        }
        marker = res.IsTruncated ? res.NextPartNumberMarker : undefined;
      } while (marker);
      return { uploadId: latest.id, parts };
    }
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    if (!created.UploadId) throw new Error('the remote returned no UploadId for a new multipart upload');
    return { uploadId: created.UploadId, parts };
  }

  async get(md5: string, destFile: string): Promise<void> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(md5) }));
      await pipeline(res.Body as Readable, createWriteStream(destFile));
    } catch (err) {
      if (status(err) === 404) {
        throw new LineageError('DATA_NOT_FOUND', `object ${md5} is not on the remote ${this.url}`, {
          hint: 'push it from the machine that has it: hyperfleet data push',
        });
      }
      throw this.unreachable(err);
    }
  }

  async list(): Promise<Set<string>> {
    const out = new Set<string>();
    let token: string | undefined;
    try {
      do {
        const res = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix ? `${this.prefix}/files/md5/` : 'files/md5/',
            ContinuationToken: token,
          }),
        );
        for (const o of res.Contents ?? []) {
          const md5 = o.Key ? md5OfKey(o.Key) : null;
          if (md5) out.add(md5);
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.unreachable(err);
    }
    return out;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private unreachable(err: unknown): LineageError {
    if (err instanceof LineageError) return err;
    const code = status(err);
    return new LineageError(
      'REMOTE_UNREACHABLE',
      `the data remote ${this.url} failed${code ? ` (HTTP ${code})` : ''}: ${(err as Error).message || (err as Error).name}`,
      {
        hint: 'check the endpoint and credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), then run the command again (it resumes)',
        cause: err,
      },
    );
  }
}

function status(err: unknown): number | undefined {
  const e = err as { $metadata?: { httpStatusCode?: number }; name?: string };
  if (e?.name === 'NotFound' || e?.name === 'NoSuchKey') return 404;
  return e?.$metadata?.httpStatusCode;
}
