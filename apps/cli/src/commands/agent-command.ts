import { ALLOWED_SECRETS_ENV, parseSecretNames } from '@hyperfleet/agent-core';
import { type AgentOptions, redisTransportFactory, runAgentProcess } from '@hyperfleet/worker';
import type { KubernetesExecutor } from '@hyperfleet/worker/kubernetes';
import { CliError, EXIT } from '../cli-error';
import { fleetTimingFromEnv } from '../fleet/fleet-timing';

/** What `hyperfleet agent` was given; turned into the agent's options here. */
export interface AgentFlags {
  server?: string;
  token?: string;
  pool: string;
  slots?: number;
  gpus?: string;
  count?: number;
  exitWhenIdle?: number | true;
  drainTimeout: number;
  agentId?: string;
  workDir: string;
  breakerThreshold: number;
  breakerCooldown: number | null;
  redis?: string;
  executor: 'process' | 'kubernetes';
  namespace?: string;
  image?: string;
  runnerImage?: string;
  /** `--allow-secret`, each a comma-separated list. */
  allowSecret?: string[];
  /** `--secret-env`, each `NAME=<secret>/<key>,…`. */
  secretEnv?: string[];
}

/** The secret names trials may ask for on this agent: --allow-secret and $HYPERFLEET_ALLOWED_SECRETS. */
function allowedSecrets(flags: AgentFlags): string[] {
  try {
    return parseSecretNames([...(flags.allowSecret ?? []), process.env[ALLOWED_SECRETS_ENV]]);
  } catch (error) {
    throw new CliError(
      `--allow-secret: ${(error as Error).message}`,
      'e.g. --allow-secret HF_TOKEN,WANDB_API_KEY',
      EXIT.usage,
    );
  }
}

function lockTuning(): { lockDurationMs?: number } {
  const { lockDurationMs } = fleetTimingFromEnv();
  return lockDurationMs ? { lockDurationMs } : {};
}

export async function agentCommand(flags: AgentFlags): Promise<number> {
  const token = flags.token ?? process.env.HYPERFLEET_TOKEN;
  if (!token) {
    throw new CliError(
      'no token: pass --token or set HYPERFLEET_TOKEN',
      'ask the server admin for a token with role worker',
      EXIT.usage,
    );
  }
  if (flags.slots !== undefined && flags.gpus !== undefined) {
    throw new CliError('use --slots (CPU slots) or --gpus (one slot per GPU), not both', undefined, EXIT.usage);
  }
  const allowSecrets = allowedSecrets(flags);
  const options: AgentOptions = {
    serverUrl: flags.server ?? process.env.HYPERFLEET_SERVER ?? 'http://127.0.0.1:7070',
    token,
    transportFactory: redisTransportFactory(flags.redis, lockTuning()),
    pool: flags.pool,
    workDir: flags.workDir,
    drainTimeoutMs: flags.drainTimeout * 1000,
    breaker: {
      threshold: flags.breakerThreshold,
      cooldownMs: flags.breakerCooldown === null ? null : flags.breakerCooldown * 1000,
    },
    ...(flags.slots === undefined ? {} : { slots: flags.slots }),
    ...(flags.gpus === undefined ? {} : { gpus: flags.gpus }),
    ...(flags.count === undefined ? {} : { count: flags.count }),
    ...(flags.exitWhenIdle === undefined
      ? {}
      : { exitWhenIdleMs: (flags.exitWhenIdle === true ? 30 : flags.exitWhenIdle) * 1000 }),
    ...(flags.agentId === undefined ? {} : { agentId: flags.agentId }),
    ...(allowSecrets.length > 0 ? { allowSecrets } : {}),
  };
  if (flags.executor !== 'kubernetes' && flags.secretEnv !== undefined) {
    throw new CliError(
      '--secret-env is for --executor kubernetes',
      'on this machine use --allow-secret NAME',
      EXIT.usage,
    );
  }
  let executor: KubernetesExecutor | null = null;
  if (flags.executor === 'kubernetes') {
    if (flags.gpus !== undefined) {
      throw new CliError(
        '--gpus is for trials run here: with --executor kubernetes each Job requests its GPUs',
        'use --slots for how many Jobs run at once',
        EXIT.usage,
      );
    }
    if (allowSecrets.length > 0) {
      throw new CliError(
        `--allow-secret reads secrets from this machine's environment; trial pods get theirs from Kubernetes Secrets`,
        `map each name with --secret-env ${allowSecrets[0]}=<secret>/<key>`,
        EXIT.usage,
      );
    }
    const { createKubernetesExecutor } = await import('@hyperfleet/worker/kubernetes');
    executor = createKubernetesExecutor({
      serverUrl: options.serverUrl,
      pool: flags.pool,
      ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
      ...(flags.image === undefined ? {} : { image: flags.image }),
      ...(flags.runnerImage === undefined ? {} : { runnerImage: flags.runnerImage }),
      ...(flags.redis === undefined ? {} : { redisUrl: flags.redis }),
      ...(flags.secretEnv === undefined ? {} : { secretEnv: flags.secretEnv.join(',') }),
    });
    options.executor = executor;
    options.transportFactory = executor.bindTransport(options.transportFactory);
  }
  try {
    const result = await runAgentProcess(options);
    return result.interrupted ? EXIT.interrupted : EXIT.ok;
  } finally {
    await executor?.close();
  }
}
