import { HyperfleetError } from '@hyperfleet/domain';

/** An error the API answers with: HTTP status, stable code, message, hint, and extra fields (e.g. `issues`). */
export class ApiError extends HyperfleetError {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    code: string,
    message: string,
    opts: { hint?: string; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, opts.hint === undefined ? {} : { hint: opts.hint });
    this.details = opts.details;
  }

  readonly details: Record<string, unknown> | undefined;

  /** The JSON body: `{error: {code, message, hint?, ...details}}`. */
  body(): { error: Record<string, unknown> } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.hint === undefined ? {} : { hint: this.hint }),
        ...this.details,
      },
    };
  }
}

export function notFound(what: string, hint?: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', `no ${what}`, hint === undefined ? {} : { hint });
}
