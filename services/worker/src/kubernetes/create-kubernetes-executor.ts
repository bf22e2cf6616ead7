import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { AGENT_ERROR_CODES, AgentError } from '../agent-error';
import type { AgentLogger } from '../agent-options';
import { KubernetesExecutor, type KubernetesExecutorOptions } from './kubernetes-executor';
import { parseSecretEnv, SECRET_ENV_VAR } from './secret-env';

/** What `hyperfleet agent --executor kubernetes` passes; the rest comes from the environment (see below). */
export interface KubernetesExecutorFlags {
  /** Default: $POD_NAMESPACE (the agent's own, set by the manifests), else the kubeconfig context's, else `default`. */
  namespace?: string;
  /** Trial image for a sweep without `image:`. Default: the runner image. */
  image?: string;
  /** The hyperfleet image (its runner runs every trial). Default $HYPERFLEET_RUNNER_IMAGE. */
  runnerImage?: string;
  /** The agent's --server; the pods use it too unless $HYPERFLEET_K8S_SERVER_URL says otherwise. */
  serverUrl: string;
  pool: string;
  /** The agent's --redis override, if any. */
  redisUrl?: string;
  /** `--secret-env NAME=<secret>/<key>,…` (added to $HYPERFLEET_K8S_SECRET_ENV): the secrets trials may name. */
  secretEnv?: string;
  logger?: AgentLogger;
  env?: NodeJS.ProcessEnv;
  kubeConfig?: KubeConfig;
}

/**
 * The executor as the CLI builds it. Cluster credentials: in a pod, its ServiceAccount; elsewhere
 * $KUBECONFIG or ~/.kube/config. Less common settings come from the environment, so the manifests can set
 * them without more flags:
 *   HYPERFLEET_K8S_SECRET            Secret with the worker token (key `token`) and, when Redis has a password,
 *                                    the Redis URL (key `redis-url`); default `hyperfleet-worker`
 *   HYPERFLEET_K8S_SERVER_URL        controller URL as the pods see it (default: the agent's --server)
 *   HYPERFLEET_K8S_SERVICE_ACCOUNT   the trial pods' ServiceAccount (default: the namespace's default)
 *   HYPERFLEET_K8S_GPU_NODE_SELECTOR `key=value,…` added to pods that request GPUs
 *   HYPERFLEET_K8S_IMAGE_PULL_SECRETS `name,…`
 *   HYPERFLEET_K8S_TTL_SECONDS       ttlSecondsAfterFinished (default 3600)
 *   HYPERFLEET_K8S_SECRET_ENV        `NAME=<secret>/<key>,…`: secrets a sweep's env may name (as --secret-env)
 */
export function createKubernetesExecutor(flags: KubernetesExecutorFlags): KubernetesExecutor {
  const env = flags.env ?? process.env;
  const bad = (message: string, hint: string) => new AgentError(AGENT_ERROR_CODES.badOptions, message, { hint });
  let kubeConfig = flags.kubeConfig;
  if (!kubeConfig) {
    kubeConfig = new KubeConfig();
    try {
      kubeConfig.loadFromDefault();
    } catch (error) {
      throw bad(
        `could not load Kubernetes credentials: ${(error as Error).message}`,
        'run the agent in a pod with a ServiceAccount (k8s/overlays/job-per-trial), or set KUBECONFIG',
      );
    }
  }
  // loadFromDefault falls back to http://localhost:8080 when it finds nothing: say so instead.
  const found = env.KUBECONFIG || env.KUBERNETES_SERVICE_HOST || existsSync(join(homedir(), '.kube', 'config'));
  if (!flags.kubeConfig && !found) {
    throw bad(
      'no Kubernetes credentials found for --executor kubernetes (no KUBECONFIG, no ~/.kube/config, not in a pod)',
      'run the agent in a pod with a ServiceAccount (k8s/overlays/job-per-trial), or set KUBECONFIG',
    );
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw bad(
      'no Kubernetes cluster configured for --executor kubernetes',
      'run the agent in a pod with a ServiceAccount (k8s/overlays/job-per-trial), or set KUBECONFIG',
    );
  }
  const runnerImage = flags.runnerImage ?? env.HYPERFLEET_RUNNER_IMAGE;
  if (!runnerImage) {
    throw bad(
      '--executor kubernetes needs the hyperfleet image that runs the trials',
      'pass --runner-image (the image built from the repo Dockerfile) or set HYPERFLEET_RUNNER_IMAGE',
    );
  }
  const namespace =
    flags.namespace ??
    env.POD_NAMESPACE ??
    kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ??
    'default';
  const serverUrl = env.HYPERFLEET_K8S_SERVER_URL ?? flags.serverUrl;
  const ttl = env.HYPERFLEET_K8S_TTL_SECONDS === undefined ? undefined : Number(env.HYPERFLEET_K8S_TTL_SECONDS);
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 0)) {
    throw bad(
      `HYPERFLEET_K8S_TTL_SECONDS=${env.HYPERFLEET_K8S_TTL_SECONDS} is not a whole number of seconds`,
      'e.g. 3600',
    );
  }
  const secretEnv = parseSecretEnv([env[SECRET_ENV_VAR], flags.secretEnv]);
  const options: KubernetesExecutorOptions = {
    kubeConfig,
    namespace,
    runnerImage,
    serverUrl,
    pool: flags.pool,
    tokenSecret: { name: env.HYPERFLEET_K8S_SECRET ?? 'hyperfleet-worker', key: 'token' },
    ...(Object.keys(secretEnv).length > 0 ? { secretEnv } : {}),
    ...(flags.image ? { defaultImage: flags.image } : {}),
    ...(flags.redisUrl ? { redisUrl: flags.redisUrl } : {}),
    ...(flags.logger ? { logger: flags.logger } : {}),
    ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }),
    ...(env.HYPERFLEET_K8S_SERVICE_ACCOUNT ? { serviceAccountName: env.HYPERFLEET_K8S_SERVICE_ACCOUNT } : {}),
    ...(env.HYPERFLEET_K8S_GPU_NODE_SELECTOR
      ? { gpuNodeSelector: parsePairs(env.HYPERFLEET_K8S_GPU_NODE_SELECTOR, 'HYPERFLEET_K8S_GPU_NODE_SELECTOR') }
      : {}),
    ...(env.HYPERFLEET_K8S_IMAGE_PULL_SECRETS
      ? {
          imagePullSecrets: env.HYPERFLEET_K8S_IMAGE_PULL_SECRETS.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
  };
  const log = flags.logger ?? ((_level, message) => process.stderr.write(`${message}\n`));
  if (/^https?:\/\/(localhost|127\.|\[::1\])/.test(serverUrl)) {
    log(
      'warn',
      `trial pods will fetch pinned code from ${serverUrl}, which is this machine: set HYPERFLEET_K8S_SERVER_URL to an address the pods can reach`,
    );
  }
  return new KubernetesExecutor(options);
}

function parsePairs(text: string, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new AgentError(AGENT_ERROR_CODES.badOptions, `${name}: "${pair}" is not key=value`, {
        hint: 'e.g. cloud.google.com/gke-accelerator=nvidia-l4',
      });
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
