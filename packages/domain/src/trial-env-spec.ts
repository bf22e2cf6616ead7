/**
 * What a sweep's `env:` block gives its trials, as it travels from the config to the machine that runs the
 * trial: a literal value (stored with the sweep, readable by anyone who can read the sweep: never a secret),
 * or `{secret: NAME}` — only the name travels; the machine that runs the trial reads NAME from its own
 * environment, and only when its operator allowed that name.
 */
export type TrialEnvValue = string | { secret: string };
export type TrialEnvSpec = Record<string, TrialEnvValue>;

/** A POSIX-portable environment variable name. */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Set for every trial by hyperfleet itself (the trial contract and the slot's GPUs): no sweep may set them. */
export function reservedEnvReason(name: string): string | null {
  if (name.startsWith('HYPERFLEET_')) return 'HYPERFLEET_* variables are the trial contract, set by hyperfleet';
  if (name === 'CUDA_VISIBLE_DEVICES') return "CUDA_VISIBLE_DEVICES is set from the agent's GPU slot";
  return null;
}

export function isSecretRef(value: TrialEnvValue): value is { secret: string } {
  return typeof value === 'object' && value !== null;
}

/** The secret names a spec asks for (the names in the runner's environment, not the trial's variable names). */
export function secretNamesOf(spec: TrialEnvSpec | undefined): string[] {
  const names = new Set<string>();
  for (const value of Object.values(spec ?? {})) if (isSecretRef(value)) names.add(value.secret);
  return [...names];
}

// A literal under a name like these is probably a credential stored in the sweep config by mistake.
const SECRET_LOOKING_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

export function looksLikeSecretName(name: string): boolean {
  return SECRET_LOOKING_NAME.test(name);
}
