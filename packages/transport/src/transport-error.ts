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
