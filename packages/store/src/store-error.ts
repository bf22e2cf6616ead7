import { HyperfleetError } from '@hyperfleet/domain';

/** Stable codes callers can switch on; the message is for humans and always says what to do. */
export type StoreErrorCode =
  | 'STORE_UNWRITABLE' // the SQLite file (or its directory) cannot be created or written
  | 'STORE_UNREACHABLE' // the Postgres server cannot be reached or refuses us
  | 'STORE_BAD_URL' // openStore() got a URL it does not understand
  | 'STORE_NOT_FOUND' // update of a sweep/trial/attempt that does not exist
  | 'STORE_CONFLICT' // create of a record whose id already exists
  | 'STORE_INVALID' // a value the store cannot keep (non-integer step, unknown trial for a metric…)
  | 'STORE_MIGRATION_FAILED' // the schema could not be brought up to date
  | 'STORE_CLOSED'; // a call after close()

export class StoreError extends HyperfleetError {
  override name = 'StoreError';
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

// Class 08 = connection exceptions, 28 = auth, 3D000 = no such database, 57P03 = server starting up.
const NETWORK =
  /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE|08|28|3D000|57P03)/;

/** The error (or one of its causes) saying the Postgres server cannot be reached or dropped us; null if none. */
export function connectionFailure(err: unknown): Error | null {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = String((e as { code?: unknown }).code ?? '');
    if (NETWORK.test(code) || /timeout|terminated|not queryable/i.test(e.message)) return e;
  }
  return null;
}

/** The store cannot be reached now (at open, or a query after the server went away): the API answers 503. */
export function isStoreUnreachable(err: unknown): boolean {
  return isStoreError(err, 'STORE_UNREACHABLE') || (!isStoreError(err) && connectionFailure(err) !== null);
}
