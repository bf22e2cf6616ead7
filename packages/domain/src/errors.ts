/**
 * The base of every error hyperfleet raises on purpose. `code` is stable (tests, the CLI's exit
 * codes and the HTTP API key on it, never on the message); `hint` tells the user what to do next.
 */
export class HyperfleetError extends Error {
  // Set explicitly so the name survives bundling/minification and subclasses can override it.
  override name = 'HyperfleetError';
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }

  /** Plain-data form for logs, the store and HTTP bodies (Error fields are not enumerable). */
  toJSON(): { name: string; code: string; message: string; hint?: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
    };
  }
}

/** Codes `toHyperfleetError` produces for errors it did not create itself. */
export const UNKNOWN_ERROR_CODE = 'UNKNOWN';
export const SYSTEM_ERROR_CODE = 'SYSTEM_ERROR';

/**
 * True for a HyperfleetError, also one from another copy of this module (two installed versions
 * would make `instanceof` fail), recognised by its string `code` and the shape of an Error.
 */
export function isHyperfleetError(value: unknown): value is HyperfleetError {
  if (value instanceof HyperfleetError) return true;
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'string' &&
    'hint' in value &&
    (value as { hint?: unknown }).hint !== null
  );
}

// Hints for the OS errors users actually hit (a missing program, a read-only store path, a busy port).
const SYSTEM_HINTS: Record<string, string> = {
  ENOENT: 'check that the file or program exists and the path is right',
  EACCES: 'check the file permissions (and that a program is executable)',
  EPERM: 'the operation is not permitted for this user',
  EROFS: 'the file system is read-only; choose a writable location',
  ENOSPC: 'the disk is full; free some space',
  EADDRINUSE: 'another process already listens on that port; pick another one',
  ECONNREFUSED: 'nothing is listening there; start the service or fix the address',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'expected a file but found a directory',
  EMFILE: 'too many open files; raise the limit (ulimit -n)',
};

/**
 * Normalizes anything thrown into a HyperfleetError, so callers have one shape to print and to
 * serialize. HyperfleetErrors pass through unchanged; Node system errors keep their errno code in the
 * message and get `code` SYSTEM_ERROR with a hint; everything else becomes UNKNOWN with the original
 * as `cause`.
 */
export function toHyperfleetError(error: unknown): HyperfleetError {
  if (isHyperfleetError(error)) return error;
  if (error instanceof Error) {
    const errno = (error as NodeJS.ErrnoException).code;
    const converted =
      typeof errno === 'string' && /^E[A-Z0-9]+$/.test(errno)
        ? new HyperfleetError(SYSTEM_ERROR_CODE, error.message, {
            hint: SYSTEM_HINTS[errno],
            cause: error,
          })
        : new HyperfleetError(UNKNOWN_ERROR_CODE, error.message || error.name, { cause: error });
    // Keep the original stack: it points at where the problem happened, not at this function.
    if (error.stack !== undefined) converted.stack = error.stack;
    return converted;
  }
  return new HyperfleetError(UNKNOWN_ERROR_CODE, describeThrown(error), { cause: error });
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined was thrown';
  try {
    return `non-Error value thrown: ${JSON.stringify(value)}`;
  } catch {
    return `non-Error value thrown: ${String(value)}`;
  }
}
