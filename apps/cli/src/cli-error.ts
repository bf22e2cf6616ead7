import { HyperfleetError } from '@hyperfleet/domain';

/** Exit codes: 2 = the input was wrong (bad config, bad flags), 130 = interrupted, like a shell. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** CliError's codes when no other is given: the input was wrong, or something failed. */
export const CLI_USAGE = 'CLI_USAGE';
export const CLI_FAILURE = 'CLI_FAILURE';

/** A user-facing error: what went wrong, how to fix it, and the exit code. */
export class CliError extends HyperfleetError {
  override name = 'CliError';

  constructor(
    message: string,
    hint?: string,
    readonly exitCode: number = EXIT.failure,
    code: string = exitCode === EXIT.usage ? CLI_USAGE : CLI_FAILURE,
  ) {
    super(code, message, hint === undefined ? {} : { hint });
  }
}
