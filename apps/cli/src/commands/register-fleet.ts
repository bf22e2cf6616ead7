import type { Command } from 'commander';
import { int, positiveInt, type SetExit } from '../options';
import { logsCommand } from './logs';
import { type SweepAction, submitCommand, sweepActionCommand, sweepLsCommand, sweepShowCommand } from './sweep-remote';
import { tokenCreateCommand, tokenLsCommand, tokenRevokeCommand } from './token';
import { untrackedPolicy } from './untracked-option';

/** Adds --server/--token to a command talking to a controller. The token never appears in output. */
export function serverOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'controller URL (default $HYPERFLEET_SERVER or http://127.0.0.1:7070)')
    .option('--token <token>', 'API token (default $HYPERFLEET_TOKEN)');
}

/** Fleet-mode client commands: submit and control sweeps on a controller, read trial logs. */
export function registerFleetCommands(program: Command, setExit: SetExit): void {
  const sweep = program.command('sweep').description('sweeps on a hyperfleet server (fleet mode)');

  serverOptions(sweep.command('submit'))
    .description('validate a sweep config here and submit it; prints the sweep id and the dashboard URL')
    .argument('<sweep.yaml>')
    .option('--pool <pool>', 'agents of this pool run the trials (default: the config’s resources.pool or "default")')
    .option('--name <name>', 'sweep name (overrides `name`)')
    .option('--seed <n>', 'sweep seed (overrides `seed`)', int)
    .option('-c, --count <n>', 'stop after n trials (overrides `run_cap`)', positiveInt)
    .option('--force', 'submit even when no agent has registered the pool yet')
    .option('--untracked <policy>', 'untracked files when pinning code: refuse | warn | include', untrackedPolicy)
    .option('--bundle', 'ship the commit as a git bundle through the server (for a commit not pushed anywhere)')
    .option(
      '-r, --remote <url>',
      'data remote the pinned data is pushed to, for the agents (default $HYPERFLEET_DATA_REMOTE, then .dvc/config)',
    )
    .option('--no-push', 'do not upload the pinned data (every agent already has it)')
    .option('--json', 'print JSON')
    .action(async (file: string, opts) => setExit(await submitCommand(file, opts)));

  serverOptions(sweep.command('ls'))
    .description('list the server’s sweeps')
    .option('-n, --limit <n>', 'at most n sweeps', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(async (opts) => setExit(await sweepLsCommand(opts)));

  serverOptions(sweep.command('show'))
    .description('a sweep and its trials, ranked')
    .argument('<sweep>', 'sweep id (or a unique prefix)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts) => setExit(await sweepShowCommand(id, opts)));

  const actions: [SweepAction, string][] = [
    ['pause', 'launch no new trials until resumed (running ones continue)'],
    ['resume', 'launch trials again'],
    ['stop', 'launch no new trials; running ones finish, then the sweep ends'],
    ['cancel', 'stop running trials now (SIGTERM, then SIGKILL) and end the sweep'],
    ['retry-failed', 'run the failed trials again, as new attempts'],
  ];
  for (const [action, description] of actions) {
    serverOptions(sweep.command(action))
      .description(description)
      .argument('<sweep>', 'sweep id (or a unique prefix)')
      .option('--json', 'print JSON')
      .action(async (id: string, opts) => setExit(await sweepActionCommand(action, id, opts)));
  }

  serverOptions(program.command('logs'))
    .description("a trial's output (stdout and stderr) from the server")
    .argument('<trial>', 'trial id')
    .option('-f, --follow', 'keep printing new output until the trial ends')
    .action(async (id: string, opts) => setExit(await logsCommand(id, opts)));

  const token = program.command('token').description('API tokens with a role on a project (stored as hashes)');
  serverOptions(token.command('create'))
    .description('mint a token (needs admin on the project); prints it once')
    .requiredOption('--project <project>', 'the project it works on, or * for all')
    .requiredOption('--role <role>', 'read | submit | promote | admin, or worker (an agent token, --project "*")')
    .option('--name <name>', 'its name: the actor in the audit log (default <project>-<role>-<id>)')
    .option('--expires <lifetime>', 'refused after this long: 30d, 12h, 90m (default: until revoked)')
    .option('--json', 'print JSON')
    .action(async (opts) => setExit(await tokenCreateCommand(opts)));
  serverOptions(token.command('ls'))
    .description('stored tokens of the projects you administer (no secrets)')
    .option('--json', 'print JSON')
    .action(async (opts) => setExit(await tokenLsCommand(opts)));
  serverOptions(token.command('revoke'))
    .description('refuse a token from now on')
    .argument('<token>', 'its name or id')
    .action(async (id: string, opts) => setExit(await tokenRevokeCommand(id, opts)));
}
