import { agentSecretPolicy, parseSecretNames, type SecretPolicy } from '@hyperfleet/agent-core';
import { AGENT_ERROR_CODES, AgentError } from '../agent-error';
import type { SecretRef } from './job-manifest';

/** `hyperfleet agent --executor kubernetes --secret-env` as an environment variable. */
export const SECRET_ENV_VAR = 'HYPERFLEET_K8S_SECRET_ENV';

/**
 * The operator's map from secret names a sweep may ask for to Kubernetes Secret keys:
 * `HF_TOKEN=hf-token/token,WANDB_API_KEY=wandb/key`. A trial pod naming HF_TOKEN gets it through a
 * secretKeyRef (Secret `hf-token`, key `token`): its value is never in the Job, the queue or the store.
 */
export function parseSecretEnv(lists: readonly (string | undefined)[]): Record<string, SecretRef> {
  const bad = (message: string) =>
    new AgentError(AGENT_ERROR_CODES.badOptions, message, {
      hint: 'write NAME=<secret>/<key>, e.g. --secret-env HF_TOKEN=hf-token/token',
    });
  const out: Record<string, SecretRef> = {};
  for (const list of lists) {
    for (const entry of (list ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const match = /^([^=]+)=([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([-._a-zA-Z0-9]+)$/.exec(entry);
      if (!match) throw bad(`--secret-env: "${entry}" is not NAME=<secret>/<key>`);
      let name: string;
      try {
        [name] = parseSecretNames([match[1]]) as [string];
      } catch (error) {
        throw bad(`--secret-env: ${(error as Error).message}`);
      }
      out[name] = { name: match[2] as string, key: match[4] as string };
    }
  }
  return out;
}

/** What a Kubernetes agent (and the pod that reads the values) allows: the names mapped to Secrets. */
export function kubernetesSecretPolicy(names: Iterable<string>): SecretPolicy {
  return {
    ...agentSecretPolicy(names),
    howToAllow: (name) =>
      `its operator maps it to a Kubernetes Secret: --secret-env ${name}=<secret>/<key> (or ${SECRET_ENV_VAR})`,
    howToSet: (name) => `check that the Secret mapped to ${name} exists and has that key`,
  };
}
