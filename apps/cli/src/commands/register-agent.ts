import { type Command, InvalidArgumentError, Option } from 'commander';
import { positiveInt, type SetExit } from '../options';
import type { AgentFlags } from './agent-command';
import { agentLsCommand } from './agent-ls';
import { agentRevokeCommand } from './agent-revoke';

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds ≥ 0');
  return n;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function cooldown(value: string): number | null {
  return value === 'never' ? null : seconds(value);
}

/** `hyperfleet agent`: the worker agent (services/worker), loaded on use so other commands start fast. */
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
    .option(
      '--breaker-threshold <n>',
      'pause a sweep on this agent after n of its trials in a row fail at start (other sweeps go on)',
      positiveInt,
      3,
    )
    .option(
      '--breaker-cooldown <seconds|never>',
      'how long a sweep stays paused on this agent before one of its trials is tried again',
      cooldown,
      300,
    )
    .option(
      '--allow-secret <names>',
      `secret names (comma-separated, repeatable; also $HYPERFLEET_ALLOWED_SECRETS) a sweep's env may ask for as {secret: NAME}: read from this agent's environment`,
      collect,
    )
    .option(
      '--secret-env <NAME=secret/key>',
      'kubernetes: a secret a sweep may ask for, mapped to a Kubernetes Secret key (comma-separated, repeatable)',
      collect,
    )
    .option('--redis <url>', 'Redis URL to use instead of the one the server hands out (a different network path)')
    .addOption(
      new Option('--executor <kind>', 'run each trial here, or as its own Kubernetes Job')
        .choices(['process', 'kubernetes'])
        .default('process'),
    )
    .option('--namespace <ns>', 'kubernetes: namespace of the trial Jobs (default the agent pod’s own)')
    .option('--image <image>', 'kubernetes: trial image for sweeps without `image:` (default the runner image)')
    .option(
      '--runner-image <image>',
      'kubernetes: the hyperfleet image that runs trials (default $HYPERFLEET_RUNNER_IMAGE)',
    )
    .action(async (flags: AgentFlags) => setExit(await (await import('./agent-command')).agentCommand(flags)));

  agent
    .command('exec-trial')
    .description('inside a trial pod of the Kubernetes executor: run the attempt in $HYPERFLEET_TRIAL_JOB')
    .action(async () => setExit(await (await import('@hyperfleet/worker/kubernetes')).execTrialInPod()));

  agent
    .command('ls')
    .description('agents known to a server: pools, slots, running trials, GPU use, last heartbeat')
    .option('--server <url>', 'controller URL (default $HYPERFLEET_SERVER or http://127.0.0.1:7070)')
    .option('--token <token>', 'API token (default $HYPERFLEET_TOKEN)')
    .option('--json', 'print JSON')
    // `agent` itself owns --server/--token, so commander hands them to the parent: read both.
    .action(async (opts, cmd: Command) => setExit(await agentLsCommand({ ...cmd.parent?.opts(), ...opts })));

  agent
    .command('revoke <agent-id>')
    .description(
      'admin: cut an agent off now (its Redis user deleted, its reports refused) and refuse its id from then on',
    )
    .option('--server <url>', 'controller URL (default $HYPERFLEET_SERVER or http://127.0.0.1:7070)')
    .option('--token <token>', 'API token with the admin role (default $HYPERFLEET_TOKEN)')
    .option('--json', 'print JSON')
    .action(async (agentId: string, opts, cmd: Command) =>
      setExit(await agentRevokeCommand(agentId, { ...cmd.parent?.opts(), ...opts })),
    );
}
