import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { CliError, EXIT } from './cli-error';
import { registerAgentCommands } from './commands/register-agent';
import { registerFleetCommands } from './commands/register-fleet';
import { registerLineageCommands } from './commands/register-lineage';
import { registerLocalCommands } from './commands/register-local';
import { registerServerCommands } from './commands/register-server';
import { describeError } from './describe-error';
import type { SetExit } from './options';
import { watchOutputPipe } from './output-pipe';

/** The `hyperfleet` program; each command group registers itself from its own module. */
export function buildProgram(setExit: SetExit): Command {
  const program = new Command('hyperfleet')
    .description('Hyperparameter sweeps on a laptop or a fleet, with every trial reproducible.')
    .exitOverride()
    .showHelpAfterError();
  registerLocalCommands(program, setExit);
  registerServerCommands(program, setExit);
  registerLineageCommands(program, setExit);
  registerFleetCommands(program, setExit);
  registerAgentCommands(program, setExit);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting so tests can drive it in-process. */
export async function main(argv: string[]): Promise<number> {
  watchOutputPipe();
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
