import { InvalidSearchInputError } from './errors';
import type { SuggestRequest } from './types';

/** Guards the numbers a caller computes (n, startIndex): a NaN here would silently return nothing. */
export function validateRequest(req: SuggestRequest): void {
  if (!Number.isSafeInteger(req.n) || req.n < 0) {
    throw new InvalidSearchInputError(`n must be a non-negative integer, got ${req.n}`);
  }
  if (!Number.isSafeInteger(req.startIndex) || req.startIndex < 0) {
    throw new InvalidSearchInputError(`startIndex must be a non-negative integer, got ${req.startIndex}`);
  }
}
