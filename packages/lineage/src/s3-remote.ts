import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { type DataRemote, md5OfKey, objectKey } from './data-remote';
import { LineageError } from './lineage-error';

export interface S3RemoteOptions {
  /** S3-compatible endpoint (MinIO, R2, Ceph…). Default: $HYPERFLEET_S3_ENDPOINT, $AWS_ENDPOINT_URL, or AWS. */
  endpoint?: string;
  region?: string;
  /** Credentials; default: the AWS SDK's chain (env, profile, instance role). Never stored or printed. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per request (the SDK's retry). Default 3. */
  maxAttempts?: number;
}

/** `s3://bucket/prefix` on S3 or any S3-compatible store, through @aws-sdk/client-s3. */
export class S3Remote implements DataRemote {
  readonly url: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

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
