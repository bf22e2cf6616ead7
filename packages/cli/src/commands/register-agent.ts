import { type AgentOptions, redisTransportFactory, runAgentProcess } from '@hyperfleet/worker';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError, EXIT } from '../cli-error';
import { fleetTimingFromEnv } from '../fleet/fleet-timing';
import { positiveInt, type SetExit } from '../options';
import { agentLsCommand } from './agent-ls';

interface AgentFlags {
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
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds ≥ 0');
  return n;
}

function cooldown(value: string): number | null {
  return value === 'never' ? null : seconds(value);
}

/** `hyperfleet agent`: the worker agent (services/worker). This file only turns flags into options. */
export function registerAgentCommands(program: Command, setExit: SetExit): void {
  const agent = program
    .command('agent')
    .description('run trials for a hyperfleet server on this machine (one slot per GPU with --gpus)')
    .option('--server <url>', 'controller URL (default $HYPERFLEET_SERVER or http://127.0.0.1:7070)')
    .option(
      '--token <token>',
      'token with role worker (default $HYPERFLEET_TOKEN; prefer the env var: argv is visible in ps)',
    )
    .option('--pool <pool>', 'take trials of this pool', 'default')
    .option('--slots <n>', 'trials at once on a CPU machine (default 1)', positiveInt)
    .option('--gpus <list>', '"all" or GPU indices like 0,2: one slot per GPU, CUDA_VISIBLE_DEVICES set per trial')
    .option('-c, --count <n>', 'take n trials, then exit when they finished', positiveInt)
    .option('--exit-when-idle [seconds]', 'exit when no trial came for this long (default 30 s)', seconds)
    .option(
      '--drain-timeout <seconds>',
      'on SIGTERM/SIGINT, how long running trials may finish before they are handed back',
      seconds,
      60,
    )
    .option('--agent-id <id>', 'agent name (default <hostname>-<random>)')
    .option('--work-dir <dir>', "where trials' files go", '.hyperfleet/agent-runs')
    .option('--breaker-threshold <n>', 'pause after n consecutive trials fail at start', positiveInt, 3)
    .option('--breaker-cooldown <seconds|never>', 'how long a paused agent waits before trying again', cooldown, 300)
    .option('--redis <url>', 'Redis URL to use instead of the one the server hands out (a different network path)')
    .action(async (flags: AgentFlags) => setExit(await agentCommand(flags)));

  agent
    .command('ls')
    .description('agents known to a server: pools, slots, running trials, GPU use, last heartbeat')
    .option('--server <url>', 'controller URL (default $HYPERFLEET_SERVER or http://127.0.0.1:7070)')
    .option('--token <token>', 'API token (default $HYPERFLEET_TOKEN)')
    .option('--json', 'print JSON')
    // `agent` itself owns --server/--token, so commander hands them to the parent: read both.
    .action(async (opts, cmd: Command) => setExit(await agentLsCommand({ ...cmd.parent?.opts(), ...opts })));
}

function lockTuning(): { lockDurationMs?: number } {
  const { lockDurationMs } = fleetTimingFromEnv();
  return lockDurationMs ? { lockDurationMs } : {};
}

async function agentCommand(flags: AgentFlags): Promise<number> {
  const token = flags.token ?? process.env.HYPERFLEET_TOKEN;
  if (!token) {
    throw new CliError(
      'no token: pass --token or set HYPERFLEET_TOKEN',
      'ask the server admin for a token with role worker',
      EXIT.usage,
    );
  }
  if (flags.slots !== undefined && flags.gpus !== undefined) {
    throw new CliError('use --slots (CPU slots) or --gpus (one slot per GPU), not both', null, EXIT.usage);
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
  const result = await runAgentProcess(options);
  return result.interrupted ? EXIT.interrupted : EXIT.ok;
}
