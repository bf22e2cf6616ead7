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
  };
  let executor: KubernetesExecutor | null = null;
  if (flags.executor === 'kubernetes') {
    if (flags.gpus !== undefined) {
      throw new CliError(
        '--gpus is for trials run here: with --executor kubernetes each Job requests its GPUs',
        'use --slots for how many Jobs run at once',
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
