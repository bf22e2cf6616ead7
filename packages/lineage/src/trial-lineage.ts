import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { CodePin } from './code-pin';
import type { DataPin } from './data-pin';
import type { EnvFingerprint } from './env-fingerprint';

/** Everything a trial was pinned to when it was dispatched: the record `show` and `reproduce` read. */
export interface TrialLineage {
  trialId: string;
  sweepId: string;
  /** sha256 over (code, data, params, command): equal identities ran the same thing. */
  identity: string;
  code: CodePin | null;
  data: DataPin[];
  env: EnvFingerprint | null;
  params: unknown;
  seed: number;
  command: string[];
  /** Who launched it (OS user@host), for the audit trail. */
  actor: string | null;
  createdAt: number;
}

/** What a sweep pins once at submit; each trial's lineage adds its params, seed and command. */
export interface SweepPins {
  code: CodePin | null;
  data: DataPin[];
  env: EnvFingerprint | null;
  actor: string | null;
}

/**
 * The trial identity hash: sha256 of canonical JSON over the commit, the diff hash, the data hashes
 * (sorted by path), the params and the command. The trial's own id (in paths such as
 * `${args_json_file}`) is replaced by a placeholder so two trials with the same inputs get the same identity.
 */
export function trialIdentity(input: IdentityInput): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson(identityFields(input)))
    .digest('hex')}`;
}

export interface IdentityInput {
  code: Pick<CodePin, 'commit' | 'diff' | 'subdir'> | null;
  data: readonly Pick<DataPin, 'path' | 'md5'>[];
  params: unknown;
  command: readonly string[];
  trialId?: string;
  sweepId?: string;
}

/** What the identity hashes, field by field (the trial's own ids in the command replaced by placeholders). */
function identityFields(input: IdentityInput) {
  const normalize = (arg: string) => {
    let a = arg;
    if (input.trialId) a = a.split(input.trialId).join('${trial}');
    if (input.sweepId) a = a.split(input.sweepId).join('${sweep}');
    return a;
  };
  return {
    code: input.code
      ? { commit: input.code.commit, diff: input.code.diff?.hash ?? null, subdir: input.code.subdir }
      : null,
    data: [...input.data].map((d) => ({ path: d.path, md5: d.md5 })).sort((a, b) => (a.path < b.path ? -1 : 1)),
    params: input.params,
    command: input.command.map(normalize),
  };
}

/**
 * Which inputs of a reproduction differ from the recorded trial's — code (commit, diff, subdir), data hashes,
 * params, seed, command — compared as canonical JSON, so the key order a store gives back (Postgres jsonb sorts
 * keys) never counts as a difference. Empty: the reproduction ran the same thing with the same seed.
 */
export function lineageDifferences(
  recorded: IdentityInput & { seed: number },
  reproduced: IdentityInput & { seed: number },
): string[] {
  const fields = (l: typeof recorded) => ({ ...identityFields(l), seed: l.seed });
  const a = fields(recorded);
  const b = fields(reproduced);
  return (Object.keys(a) as (keyof typeof a)[]).filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
}

export function buildTrialLineage(
  pins: SweepPins,
  trial: { id: string; sweepId: string; params: unknown; seed: number; command: string[] | null },
  now: number,
): TrialLineage {
  const command = trial.command ?? [];
  return {
    trialId: trial.id,
    sweepId: trial.sweepId,
    identity: trialIdentity({
      code: pins.code,
      data: pins.data,
      params: trial.params,
      command,
      trialId: trial.id,
      sweepId: trial.sweepId,
    }),
    code: pins.code,
    data: pins.data,
    env: pins.env,
    params: trial.params,
    seed: trial.seed,
    command,
    actor: pins.actor,
    createdAt: now,
  };
}
