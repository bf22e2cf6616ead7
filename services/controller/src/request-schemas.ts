import { z } from 'zod';
import { ApiError } from './api-error';

const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only');

const blobHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a blob hash (sha256:<64 hex>)');

// A full commit hash only: a branch or tag name floats (it may mean other code by the time a trial runs).
const commitHash = z
  .string()
  .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'a full commit hash (a branch or tag name is a floating ref)');

const codePin = z.strictObject({
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

const dataPin = z.strictObject({
  path: z.string().min(1).max(4096),
  md5: z.string().regex(/^[0-9a-f]{32}(\.dir)?$/, 'a DVC md5'),
  size: z.number().int().min(0),
  nfiles: z.number().int().min(0).optional(),
  source: z.enum(['dvc-file', 'dvc.lock', 'hashed']),
});

const envFingerprint = z.strictObject({
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

export const submitBody = z.strictObject({
  config: z.unknown(),
  cwd: z.string().min(1).max(4096),
  pool: id.optional(),
  name: z.string().min(1).max(200).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  count: z.number().int().min(1).max(1_000_000).optional(),
  parallel: z.number().int().min(1).max(100_000).optional(),
  pins: submittedPins.optional(),
});

// null: a reading this GPU (or driver) does not support, as nvidia-smi prints "[N/A]".
export const gpuInfo = z.strictObject({
  index: z.number().int().min(0),
  name: z.string().max(200),
  memoryTotalMiB: z.number().min(0).nullable(),
  memoryUsedMiB: z.number().min(0).nullable(),
  utilizationPct: z.number().min(0).max(100).nullable(),
});

const runningAttempt = z.strictObject({
  trialId: id,
  attempt: z.number().int().min(1),
  slot: z.number().int().min(0).optional(),
  gpu: z.number().int().min(0).nullable().optional(),
});

export const registerBody = z.strictObject({
  agentId: id,
  host: z.string().min(1).max(255),
  pool: id,
  slots: z.number().int().min(1).max(4096),
  gpus: z.array(gpuInfo).max(256),
  version: z.string().max(100),
});

export const heartbeatBody = z.strictObject({
  running: z.array(runningAttempt).max(4096),
  gpus: z.array(gpuInfo).max(256),
  draining: z.boolean(),
  /** What `agent ls` shows: `paused` comes with the breaker's reason. */
  status: z.enum(['running', 'paused', 'draining']).optional(),
  reason: z.string().max(2000).nullable().optional(),
  pool: id.optional(),
  slots: z.number().int().min(1).max(4096).optional(),
  host: z.string().min(1).max(255).optional(),
});

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const submitQuery = z.object({ force: flag.optional() });
export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(100) });
export const metricsQuery = z.object({
  key: z.string().min(1).max(500).optional(),
  maxPoints: z.coerce.number().int().min(2).max(1_000_000).optional(),
});
export const logsQuery = z.object({
  cursor: z.string().max(200).default('0'),
  wait: z.coerce.number().int().min(0).max(30_000).default(0),
});

/** Parses a body or query; 422 with every issue (path + message) when it does not fit. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: 'body' | 'query'): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  throw new ApiError(422, what === 'body' ? 'INVALID_BODY' : 'INVALID_QUERY', `invalid request ${what}`, {
    hint: 'see `issues` for each problem; the API is described in services/controller/API.md',
    details: { issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) },
  });
}
