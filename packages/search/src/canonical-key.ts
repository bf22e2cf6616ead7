import { createHash } from 'node:crypto';
import type { ParamValue } from '@hyperfleet/domain';

/**
 * One spelling per number. JS already maps 3e6, 3000000 and 3000000.0 to one double; on top of that
 * -0 becomes 0 and non-integers are rounded to 15 significant digits so arithmetic noise
 * (0.1 * 3 vs 0.3) does not make two grid points look different. Integers stay exact (seeds, ids).
 */
export function canonicalNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === 0) return '0';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(15)));
}

/**
 * A string that is equal for two values exactly when they are the same params: object keys sorted,
 * numbers canonical (see canonicalNumber), arrays in order, undefined object entries dropped (as JSON does).
 * Non-finite numbers are bare tokens so they never collide with the strings "NaN" or "Infinity".
 */
export function canonicalKey(value: ParamValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return canonicalNumber(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(',')}]`;
  const entries: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const item = value[key];
    if (item === undefined) continue;
    entries.push(`${JSON.stringify(key)}:${canonicalKey(item)}`);
  }
  return `{${entries.join(',')}}`;
}

/** SHA-1 hex of canonicalKey: a compact, stable identity for a params object (dedupe, store indexes). */
export function paramsHash(value: ParamValue): string {
  return createHash('sha1').update(canonicalKey(value), 'utf8').digest('hex');
}
