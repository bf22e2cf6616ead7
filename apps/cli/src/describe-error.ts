import { ConfigError, formatIssues, toHyperfleetError } from '@hyperfleet/domain';
import { CliError, EXIT } from './cli-error';

/** Turns any thrown value into what the user reads: a message, a hint, and the exit code. */
export function describeError(err: unknown): { message: string; hint: string | undefined; exitCode: number } {
  if (err instanceof ConfigError) {
    const source = err.source === undefined ? {} : { source: err.source };
    const where = err.source ? ` ${err.source}` : '';
    return {
      message: `invalid sweep config${where}\n${formatIssues(err.issues, source)}`,
      hint: undefined,
      exitCode: EXIT.usage,
    };
  }
  if (err instanceof CliError) return { message: err.message, hint: err.hint, exitCode: err.exitCode };
  const known = toHyperfleetError(err);
  return { message: known.message, hint: known.hint, exitCode: EXIT.failure };
}
