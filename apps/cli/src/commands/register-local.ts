import { type Command, InvalidArgumentError } from 'commander';
import { int, positiveInt, type SetExit, STORE_OPTION } from '../options';
import { exportCommand } from './export';
import { lsCommand } from './ls';
import { showCommand } from './show';
import { untrackedPolicy } from './untracked-option';
import { validateCommand } from './validate';

/** Embedded-mode commands: run a sweep here and read the local store back. */
export function registerLocalCommands(program: Command, setExit: SetExit): void {
  program
    .command('run')
    .description('run a sweep here, in this process (embedded mode: no Redis, SQLite store)')
    .argument('<sweep.yaml>', 'sweep config (W&B-compatible)')
    .option(...STORE_OPTION)
    .option('-p, --parallel <n>', 'trials at once (overrides `parallel`)', positiveInt)
    .option('-c, --count <n>', 'stop after n trials (overrides `run_cap`)', positiveInt)
    .option('--seed <n>', 'sweep seed (overrides `seed`): the same seed gives the same trials', int)
    .option('--kill-grace <seconds>', 'on stop, seconds between SIGTERM and SIGKILL', positiveInt, 10)
    .option(
      '--untracked <policy>',
      'untracked files when pinning code: refuse | warn | include',
      untrackedPolicy,
      'warn',
    )
    .option(
      '--dashboard [port]',
      'serve the live web dashboard on localhost (default port 7070, or a free one; 0 = any free port)',
      port,
    )
    .action(async (file: string, opts) => setExit(await (await import('./run')).runCommand(file, opts)));

  program
    .command('validate')
    .description('check a sweep config and print every problem (exit 2 when invalid)')
    .argument('<sweep.yaml>')
    .action(async (file: string) => setExit(await validateCommand(file)));

  program
    .command('ls')
    .description('list sweeps')
    .option(...STORE_OPTION)
    .option('-n, --limit <n>', 'at most n sweeps', positiveInt, 50)
    .action(async (opts) => setExit(await lsCommand(opts)));

  program
    .command('show')
    .description("a sweep and its trials, ranked; or, given a trial id, that trial's lineage")
    .argument('<sweep|trial>', 'sweep id (or a unique prefix), or a trial id')
    .option(...STORE_OPTION)
    .option('--json', 'print JSON instead of a table')
    .action(async (id: string, opts) => setExit(await showCommand(id, opts)));

  program
    .command('export')
    .description("a sweep's trials as CSV or JSON on stdout")
    .argument('<sweep>', 'sweep id (or a unique prefix)')
    .option(...STORE_OPTION)
    .option('-f, --format <format>', 'csv or json', 'csv')
    .action(async (id: string, opts) => setExit(await exportCommand(id, opts)));
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('expected a port (0–65535; 0 = any free port)');
  return n;
}
