import { Command, CommanderError, InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import { CliError, EXIT } from './cli-error';
import { exportCommand } from './commands/export';
import { lsCommand } from './commands/ls';
import { runCommand } from './commands/run';
import { showCommand } from './commands/show';
import { validateCommand } from './commands/validate';
import { describeError } from './describe-error';

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

function positiveInt(value: string): number {
  const n = int(value);
  if (n < 1) throw new InvalidArgumentError('expected an integer ≥ 1');
  return n;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('hyperfleet')
    .description('Hyperparameter sweeps on a laptop or a fleet, with every trial reproducible.')
    .exitOverride()
    .showHelpAfterError();
  const storeOption = [
    '--store <url>',
    'tracking store: a SQLite path or postgres://… (default ./.hyperfleet/hyperfleet.db)',
  ] as const;

  program
    .command('run')
    .description('run a sweep here, in this process (embedded mode: no Redis, SQLite store)')
    .argument('<sweep.yaml>', 'sweep config (W&B-compatible)')
    .option(...storeOption)
    .option('-p, --parallel <n>', 'trials at once (overrides `parallel`)', positiveInt)
    .option('-c, --count <n>', 'stop after n trials (overrides `run_cap`)', positiveInt)
    .option('--seed <n>', 'sweep seed (overrides `seed`): the same seed gives the same trials', int)
    .option('--kill-grace <seconds>', 'on stop, seconds between SIGTERM and SIGKILL', positiveInt, 10)
    .action(async (file: string, opts) => setExit(await runCommand(file, opts)));

  program
    .command('validate')
    .description('check a sweep config and print every problem (exit 2 when invalid)')
    .argument('<sweep.yaml>')
    .action(async (file: string) => setExit(await validateCommand(file)));

  program
    .command('ls')
    .description('list sweeps')
    .option(...storeOption)
    .option('-n, --limit <n>', 'at most n sweeps', positiveInt, 50)
    .action(async (opts) => setExit(await lsCommand(opts)));

  program
    .command('show')
    .description('a sweep and its trials, ranked')
    .argument('<sweep>', 'sweep id (or a unique prefix)')
    .option(...storeOption)
    .option('--json', 'print JSON instead of a table')
    .action(async (id: string, opts) => setExit(await showCommand(id, opts)));

  program
    .command('export')
    .description("a sweep's trials as CSV or JSON on stdout")
    .argument('<sweep>', 'sweep id (or a unique prefix)')
    .option(...storeOption)
    .option('-f, --format <format>', 'csv or json', 'csv')
    .action(async (id: string, opts) => setExit(await exportCommand(id, opts)));

  return program;
}

/** Runs the CLI; returns the exit code instead of exiting so tests can drive it in-process. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { message, hint, exitCode } = describeError(err);
    process.stderr.write(`${pc.red('error:')} ${message}\n`);
    if (hint) process.stderr.write(`${pc.dim('hint:')} ${hint}\n`);
    return exitCode;
  }
}

export { CliError };
