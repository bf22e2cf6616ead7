import type { Command } from 'commander';
import { int, positiveInt, type SetExit, STORE_OPTION } from '../options';
import { auditCommand } from './audit';
import { dataAddCommand, dataGcCommand, dataPullCommand, dataPushCommand, dataStatusCommand } from './data';
import { lineageCommand } from './lineage';
import { modelAliasCommand, modelDeleteCommand, modelLsCommand, modelRegisterCommand } from './model';
import { serverOptions } from './register-fleet';
import { reproduceCommand } from './reproduce';
import { showCommand } from './show';
import { showFromServer } from './show-trial';

const REMOTE_OPTION = [
  '-r, --remote <url>',
  'data remote: a directory or s3://bucket/prefix (default $HYPERFLEET_DATA_REMOTE, then .dvc/config)',
] as const;

function number(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error('expected a number ≥ 0');
  return n;
}

/** Pinned code and data: `data`, `reproduce`, `model`, `lineage`, `audit`. */
export function registerLineageCommands(program: Command, setExit: SetExit): void {
  const data = program
    .command('data')
    .description('version data DVC-style: .dvc files, a content-addressed cache, remotes');
  data
    .command('add')
    .description('hash files/directories (DVC 3 md5), cache them, write <path>.dvc')
    .argument('<paths...>')
    .option('--json', 'print JSON')
    .action(async (paths: string[], opts) => setExit(await dataAddCommand(paths, opts)));
  data
    .command('push')
    .description('upload cached data the remote lacks (resumable)')
    .argument('[targets...]', 'paths (default: everything tracked)')
    .option(...REMOTE_OPTION)
    .action(async (targets: string[], opts) => setExit(await dataPushCommand(targets, opts)));
  data
    .command('pull')
    .description('fetch tracked data by hash (verified) and check it out')
    .argument('[targets...]', 'paths (default: everything tracked)')
    .option(...REMOTE_OPTION)
    .option('-f, --force', 'overwrite local changes to tracked data')
    .action(async (targets: string[], opts) => setExit(await dataPullCommand(targets, opts)));
  data
    .command('status')
    .description('tracked data: workspace vs .dvc, in the cache, on the remote (exit 1 when something changed)')
    .option(...REMOTE_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts) => setExit(await dataStatusCommand(opts)));
  data
    .command('gc')
    .description('remove cache objects no .dvc file, dvc.lock or recorded trial pins')
    .option(...STORE_OPTION)
    .option('-n, --dry-run', 'only count')
    .action(async (opts) => setExit(await dataGcCommand(opts)));

  program
    .command('reproduce')
    .description('re-run a trial with its exact pins (commit, diff, data, params, seed) and compare metrics')
    .argument('<trial>', 'trial id')
    .option(...STORE_OPTION)
    .option('--local', 'run it here (default)')
    .option('--server <url>', 'run it on the fleet behind this controller (`hyperfleet server`) instead')
    .option('--token <token>', 'API token for --server (default $HYPERFLEET_TOKEN)')
    .option('--pool <pool>', "--server: agents of this pool run it (default: the original sweep's pool)")
    .option('--wait <seconds>', '--server: stop waiting after this long (the reproduction keeps running)', number)
    .option('-t, --tolerance <x>', 'largest |recorded - new| that still matches', number, 1e-9)
    .option(...REMOTE_OPTION)
    .option('--keep', 'keep the worktree afterwards')
    .option('--json', 'print JSON')
    .action(async (trial: string, opts) => setExit(await reproduceCommand(trial, opts)));

  // `show <trial>` against a fleet: the command is registered with the embedded-mode ones (register-local);
  // here it learns --server/--token and reads the trial's lineage from the controller's API then.
  const show = program.commands.find((c) => c.name() === 'show');
  show
    ?.option('--server <url>', "read it from a hyperfleet server's API instead of the local store")
    .option('--token <token>', 'API token for --server (default $HYPERFLEET_TOKEN)')
    .action(async (id: string, opts) =>
      setExit(opts.server ? await showFromServer(id, opts) : await showCommand(id, opts)),
    );

  const model = program.command('model').description('model registry: numbered versions, aliases, lineage tags');
  model
    .command('register')
    .description('register a trial artifact as a new model version')
    .argument('<trial>', 'trial id')
    .requiredOption('--name <name>', 'model name')
    .requiredOption('--artifact <file>', "model file (a path, or relative to the trial's outputs/)")
    .option('--alias <alias...>', 'aliases to point at this version (moved from older ones)')
    .option(...STORE_OPTION)
    .option('--json', 'print JSON')
    .action(async (trial: string, opts) => setExit(await modelRegisterCommand(trial, opts)));
  model
    .command('ls')
    .description('models, or the versions of one')
    .argument('[name]')
    .option(...STORE_OPTION)
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, opts) => setExit(await modelLsCommand(name, opts)));
  model
    .command('alias')
    .description('point an alias (staging, production) at a version')
    .argument('<name>')
    .argument('<alias>')
    .argument('<version>', 'version number', positiveInt)
    .option(...STORE_OPTION)
    .action(async (name: string, alias: string, version: number, opts) =>
      setExit(await modelAliasCommand(name, alias, version, opts)),
    );
  model
    .command('delete')
    .description('delete a version (soft: it stays in the audit log)')
    .argument('<name>')
    .argument('<version>', 'version number', positiveInt)
    .option(...STORE_OPTION)
    .action(async (name: string, version: number, opts) => setExit(await modelDeleteCommand(name, version, opts)));

  program
    .command('lineage')
    .description('model → trial → sweep → commit → data, who and when')
    .argument('<ref>', 'NAME, NAME@VERSION, NAME@ALIAS, or a trial id')
    .option(...STORE_OPTION)
    .option('--json', 'print JSON')
    .action(async (ref: string, opts) => setExit(await lineageCommand(ref, opts)));

  program
    .command('audit')
    .description('the append-only audit log: who submitted, paused, stopped, registered, promoted, minted what')
    .option('--model <name>', 'only this model')
    .option('--sweep <id>', 'only this sweep')
    .option('-n, --limit <n>', 'the last n entries', int)
    .option(...STORE_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts) => setExit(await auditCommand(opts)));

  // Through a server's API (no database credentials) when given one; --store opens a store directly.
  const viaServer = program.commands.filter((c) => c.name() === 'lineage' || c.name() === 'audit');
  for (const cmd of [...model.commands, ...viaServer]) serverOptions(cmd);
}
