import { decodeNonFinite, encodeNonFinite, NON_FINITE_NAMES } from '@hyperfleet/domain';
import { z } from 'zod';

/** Agent, pool and trial ids: what fits in a Redis key, a path and a shell word unquoted. */
export const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only');

export const blobHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a blob hash (sha256:<64 hex>)');

/**
 * A number as the API writes it. JSON has no NaN or ±Infinity (they would become null), so the controller
 * writes them as the strings "NaN", "Infinity", "-Infinity"; they parse back to numbers.
 */
export const wireNumber = z
  .union([z.number(), z.enum(NON_FINITE_NAMES)])
  .transform((v) => decodeNonFinite(v) ?? Number.NaN);

/** A query flag: `true`/`1` or `false`/`0`. */
export const queryFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Milliseconds since the epoch. */
export const timestamp = z.number();

/** The JSON.stringify replacer the API writes with: NaN and ±Infinity as their names (`wireNumber` reads them). */
export function wireReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' ? encodeNonFinite(value) : value;
}
