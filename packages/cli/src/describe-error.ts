import { ConfigError, formatIssues, toHyperfleetError } from '@hyperfleet/spec';
import { CliError, EXIT } from './cli-error';

/** Turns any thrown value into what the user reads: a message, a hint, and the exit code. */
export function describeError(err: unknown): { message: string; hint: string | null; exitCode: number } {
  if (err instanceof ConfigError) {
    return { message: `invalid sweep config\n${formatIssues(err.issues)}`, hint: null, exitCode: EXIT.usage };
  }
  if (err instanceof CliError) return { message: err.message, hint: err.hint, exitCode: err.exitCode };
  const known = toHyperfleetError(err);
  return { message: known.message, hint: known.hint ?? null, exitCode: EXIT.failure };
}
