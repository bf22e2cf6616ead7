import { ENV_VAR_NAME, isSecretRef, type TrialEnvSpec } from '@hyperfleet/domain';

/** The operator's list of secret names, from `--allow-secret` and this variable (comma-separated). */
export const ALLOWED_SECRETS_ENV = 'HYPERFLEET_ALLOWED_SECRETS';

/**
 * Which secrets a sweep may name in `env: {VAR: {secret: NAME}}` on this machine. Only names are ever sent
 * (through the queue and the store); the value is read here, from this machine's environment, and only for a
 * name its operator allowed. In embedded mode the user's own process is the operator: every name is allowed.
 */
export interface SecretPolicy {
  allowed: ReadonlySet<string> | 'any';
  /** How refusals name this machine; default `agent <id>`. */
  where?: string;
  /** The fix for a name that is not allowed, said to the sweep's owner: how the operator allows it. */
  howToAllow(name: string): string;
  /** The fix for an allowed name that is not set. */
  howToSet(name: string): string;
}

/** A fleet agent's policy: `hyperfleet agent --allow-secret NAME[,…]` or HYPERFLEET_ALLOWED_SECRETS. */
export function agentSecretPolicy(allowed: Iterable<string>): SecretPolicy {
  return {
    allowed: new Set(allowed),
    howToAllow: (name) =>
      `its operator starts it with --allow-secret ${name} (or ${ALLOWED_SECRETS_ENV}=${name}), with ${name} set in its environment`,
    howToSet: (name) => `set ${name} in the environment the agent is started in`,
  };
}

/** `hyperfleet run`: the user runs the trials themselves, so their own environment holds the secrets. */
export const EMBEDDED_SECRET_POLICY: SecretPolicy = {
  allowed: 'any',
  where: 'this machine',
  howToAllow: () => 'every name is allowed here',
  howToSet: (name) => `export ${name} before running hyperfleet`,
};

/**
 * Secret names from a comma-separated list (several lists may be given). A name of the agent's own
 * credentials (HYPERFLEET_*) is refused: no operator setting may hand the worker token to a trial.
 */
export function parseSecretNames(lists: readonly (string | undefined)[]): string[] {
  const names = new Set<string>();
  for (const list of lists) {
    for (const raw of (list ?? '').split(',')) {
      const name = raw.trim();
      if (name === '') continue;
      if (!ENV_VAR_NAME.test(name)) throw new Error(`secret name "${name}" is not an environment variable name`);
      if (name.startsWith('HYPERFLEET_')) {
        throw new Error(`${name} cannot be allowed as a secret: HYPERFLEET_* are the agent's own settings`);
      }
      names.add(name);
    }
  }
  return [...names];
}

/** The first secret the spec names that the policy does not allow, as the refusal to report; null if none. */
export function refusedSecret(spec: TrialEnvSpec | undefined, policy: SecretPolicy, where: string): string | null {
  if (policy.allowed === 'any') return null;
  for (const [variable, value] of Object.entries(spec ?? {})) {
    if (!isSecretRef(value) || policy.allowed.has(value.secret)) continue;
    return `the sweep's env ${variable} asks for secret ${value.secret}, which ${where} does not allow: ${policy.howToAllow(value.secret)}`;
  }
  return null;
}

export type ResolvedTrialEnv = { ok: true; env: Record<string, string> } | { ok: false; error: string };

/**
 * The sweep's env with each allowed secret read from `source` (this machine's environment). A secret that is
 * not allowed, or not set, refuses the attempt; the error names the variable and the fix, never a value.
 */
export function resolveTrialEnv(
  spec: TrialEnvSpec | undefined,
  policy: SecretPolicy,
  source: NodeJS.ProcessEnv,
  where: string,
): ResolvedTrialEnv {
  const refused = refusedSecret(spec, policy, where);
  if (refused !== null) return { ok: false, error: refused };
  const env: Record<string, string> = {};
  for (const [variable, value] of Object.entries(spec ?? {})) {
    if (!isSecretRef(value)) {
      env[variable] = value;
      continue;
    }
    const secret = source[value.secret];
    if (secret === undefined) {
      return {
        ok: false,
        error: `the sweep's env ${variable} asks for secret ${value.secret}, which is not set on ${where}: ${policy.howToSet(value.secret)}`,
      };
    }
    env[variable] = secret;
  }
  return { ok: true, env };
}
