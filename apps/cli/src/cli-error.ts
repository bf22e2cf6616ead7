/** Exit codes: 2 = the input was wrong (bad config, bad flags), 130 = interrupted, like a shell. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** A user-facing error: what went wrong and how to fix it. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly hint: string | null,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}
