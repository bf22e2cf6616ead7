import { HyperfleetError } from '@hyperfleet/domain';

/** Stable codes callers can switch on; messages say what to do. */
export type TransportErrorCode =
  | 'TRANSPORT_CLOSED' // a call after close()
  | 'TRANSPORT_INVALID' // a pool name, trial id or job the transport cannot carry
  | 'TRANSPORT_UNREACHABLE'; // Redis cannot be reached

export class TransportError extends HyperfleetError {
  override name = 'TransportError';
  declare readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

export function isTransportError(err: unknown, code?: TransportErrorCode): err is TransportError {
  return err instanceof TransportError && (code === undefined || err.code === code);
}

/**
 * Redis cannot be reached now (down, restarting, or paused past ioredis' retries): an operational state the
 * API answers with 503, not a bug. ioredis raises these as its own errors, not TransportErrors.
 */
export function isTransportUnreachable(err: unknown): boolean {
  if (isTransportError(err, 'TRANSPORT_UNREACHABLE')) return true;
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  return (
    e?.name === 'MaxRetriesPerRequestError' ||
    e?.message === 'Connection is closed.' ||
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(String(e?.code))
  );
}
