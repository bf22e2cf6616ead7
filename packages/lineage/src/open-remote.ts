import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataRemote } from './data-remote';
import { LineageError } from './lineage-error';
import { LocalRemote } from './local-remote';
import { redactUrl } from './redact-url';
import { S3Remote, type S3RemoteOptions } from './s3-remote';

/** Opens a data remote: `s3://bucket/prefix`, `file:///dir`, or a directory path (relative to `cwd`). */
export function openRemote(url: string, opts: S3RemoteOptions & { cwd?: string } = {}): DataRemote {
  if (/^s3:\/\//i.test(url)) return new S3Remote(url, opts);
  if (/^file:\/\//i.test(url)) return new LocalRemote(fileURLToPath(url));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new LineageError('BAD_REMOTE', `unsupported data remote ${redactUrl(url)}`, {
      hint: 'use s3://bucket/prefix (any S3-compatible endpoint via HYPERFLEET_S3_ENDPOINT) or a directory path',
    });
  }
  return new LocalRemote(isAbsolute(url) ? url : resolve(opts.cwd ?? process.cwd(), url));
}
