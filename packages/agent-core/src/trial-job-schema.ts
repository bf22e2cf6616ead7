import { ENV_VAR_NAME, METRIC_SOURCES, type ParamValue } from '@hyperfleet/domain';
import type { TrialJob } from '@hyperfleet/transport';
import { z } from 'zod';

// Ids become directory names on the agent: no separators, no '.'/'..', nothing a shell would care about.
const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only, starting with a letter or digit');

const paramValue: z.ZodType<ParamValue> = z.lazy(() =>
  z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(paramValue), z.record(z.string(), paramValue)]),
);

const envName = z.string().regex(ENV_VAR_NAME, 'an environment variable name');

const blobHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a blob hash (sha256:<64 hex>)');

/** Pins as the controller forwards them (it validated the submitter's copy); enough checked to run safely. */
const jobPins = z.object({
  code: z
    .object({
      repoRoot: z.string(),
      // Joined onto the worktree: never absolute, never climbing out of it.
      subdir: z
        .string()
        .refine((s) => !s.startsWith('/') && !s.split('/').includes('..'), 'a relative path inside the repo'),
      remoteName: z.string().nullable(),
      remote: z.string().nullable(),
      commit: z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'a full commit hash'),
      branch: z.string().nullable(),
      diff: z.object({ hash: blobHash, size: z.number().int().min(0), files: z.array(z.string()) }).nullable(),
      untrackedPolicy: z.enum(['refuse', 'warn', 'include']),
      untracked: z.array(z.string()),
      pushed: z.boolean(),
    })
    .nullable(),
  data: z.array(
    z.object({
      path: z
        .string()
        .min(1)
        .refine((s) => !s.startsWith('/') && !s.split('/').includes('..'), 'a relative path inside the repo'),
      md5: z.string().regex(/^[0-9a-f]{32}(\.dir)?$/, 'a DVC md5'),
      size: z.number().int().min(0),
      nfiles: z.number().int().min(0).optional(),
      source: z.enum(['dvc-file', 'dvc.lock', 'hashed']),
    }),
  ),
  bundle: blobHash.nullable(),
  dataRemote: z.string().nullable(),
});

/** The queue payload, validated at the edge: a producer bug or a stale job format fails here with a reason. */
export const trialJobSchema = z.object({
  sweepId: id,
  trialId: id,
  attempt: z.number().int().min(1),
  pool: z.string().min(1),
  argv: z.array(z.string()).min(1, 'argv is empty'),
  params: z.record(z.string(), paramValue),
  seed: z.number().int(),
  cwd: z.string().min(1),
  // Secrets by name only: the value is read where the attempt runs, if that machine allows the name.
  env: z
    .record(
      envName,
      z.union([z.string(), z.strictObject({ secret: envName })], { error: 'a string or {secret: NAME}' }),
    )
    .optional(),
  resources: z
    .object({
      cpus: z.number().positive().optional(),
      gpus: z.number().int().min(0).optional(),
      memory: z.string().optional(),
    })
    .optional(),
  timeoutMs: z.number().int().positive().optional(),
  metrics: z
    .object({
      stdout: z.boolean().optional(),
      regex: z.string().optional(),
      sources: z.array(z.enum(METRIC_SOURCES)).min(1).optional(),
    })
    .optional(),
  killGraceMs: z.number().int().min(0).optional(),
  pins: jobPins.optional(),
  image: z.string().min(1).max(1000).optional(),
}) satisfies z.ZodType<TrialJob>;

/** Enough of a job to report on it even when the rest is invalid. */
export interface JobIdentity {
  sweepId: string;
  trialId: string;
  attempt: number;
}

export type TrialJobParse = { ok: true; job: TrialJob } | { ok: false; message: string; identity: JobIdentity | null };

export function parseTrialJob(payload: unknown): TrialJobParse {
  const parsed = trialJobSchema.safeParse(payload);
  if (parsed.success) return { ok: true, job: parsed.data };
  const message = `invalid trial job: ${parsed.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`)
    .join('; ')}`;
  return { ok: false, message, identity: identityOf(payload) };
}

function identityOf(payload: unknown): JobIdentity | null {
  const identity = z.object({ sweepId: id, trialId: id, attempt: z.number().int().min(1) }).safeParse(payload);
  return identity.success ? identity.data : null;
}
