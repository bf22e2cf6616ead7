import { z } from 'zod';
import { blobHash } from './wire';

// A full commit hash only: a branch or tag name floats (it may mean other code by the time a trial runs).
const commitHash = z
  .string()
  .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'a full commit hash (a branch or tag name is a floating ref)');

/** The code a trial runs (lineage's CodePin). */
export const codePin = z.strictObject({
  repoRoot: z.string().max(4096),
  subdir: z.string().max(4096),
  remoteName: z.string().max(200).nullable(),
  remote: z.string().max(4096).nullable(),
  commit: commitHash,
  branch: z.string().max(1000).nullable(),
  diff: z
    .strictObject({ hash: blobHash, size: z.number().int().min(0), files: z.array(z.string().max(4096)).max(100_000) })
    .nullable(),
  untrackedPolicy: z.enum(['refuse', 'warn', 'include']),
  untracked: z.array(z.string().max(4096)).max(100_000),
  pushed: z.boolean(),
});

/** One DVC-tracked path (lineage's DataPin). */
export const dataPin = z.strictObject({
  path: z.string().min(1).max(4096),
  md5: z.string().regex(/^[0-9a-f]{32}(\.dir)?$/, 'a DVC md5'),
  size: z.number().int().min(0),
  nfiles: z.number().int().min(0).optional(),
  source: z.enum(['dvc-file', 'dvc.lock', 'hashed']),
});

/** lineage's EnvFingerprint. */
export const envFingerprint = z.strictObject({
  os: z.string().max(500),
  node: z.string().max(100),
  python: z.string().max(100).nullable(),
  lockfiles: z.record(z.string().max(4096), z.string().max(200)),
  image: z.string().max(1000).nullable(),
  gpus: z.array(z.strictObject({ name: z.string().max(200), driver: z.string().max(100) })).max(256),
});

/** What `sweep submit` pinned on the submitting machine; the blobs it names were PUT first. */
export const submittedPins = z.strictObject({
  code: codePin.nullable(),
  data: z.array(dataPin).max(10_000),
  env: envFingerprint.nullable(),
  actor: z.string().max(500).nullable(),
  bundle: blobHash.nullable(),
  dataRemote: z.string().max(4096).nullable(),
});
export type SubmittedPinsBody = z.output<typeof submittedPins>;
