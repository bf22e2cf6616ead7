import { isStoreError } from '@hyperfleet/store';
import { ApiError } from './api-error';

/**
 * The store's refusals of what the caller asked (a taken name, an invalid alias) as 409/422. Elsewhere a store
 * refusal is the server's fault (the request was validated) and stays a 500.
 */
export async function refused<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isStoreError(err, 'STORE_CONFLICT')) throw new ApiError(409, 'CONFLICT', err.message);
    if (isStoreError(err, 'STORE_INVALID')) throw new ApiError(422, 'INVALID', err.message);
    throw err;
  }
}
