/**
 * NaN and ±Infinity in JSON. JSON has no such numbers (`JSON.stringify` writes null, which would read as "no
 * value"), so every JSON producer (the Redis report stream, the HTTP API, the SDKs' metrics file) writes them as
 * their names "NaN", "Infinity", "-Infinity", and every reader turns the names back into numbers here.
 */

/** The names JSON producers write for NaN, +Infinity and -Infinity (what `encodeNonFinite` writes). */
export const NON_FINITE_NAMES = ['NaN', 'Infinity', '-Infinity'] as const;

// Python prints `nan`/`inf`, JS `NaN`/`Infinity`, C `-inf`; all of them name a non-finite value.
const NON_FINITE_NAME = /^([+-]?)(nan|inf|infinity)$/i;

/** The value as JSON can carry it: a finite number as is, a non-finite one as its name. */
export function encodeNonFinite(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** The number a non-finite value's name stands for ("NaN", "-Infinity", Python's "nan"/"inf"), else undefined. */
export function parseNonFinite(text: string): number | undefined {
  const m = NON_FINITE_NAME.exec(text);
  if (!m) return undefined;
  if (m[2]?.toLowerCase() === 'nan') return Number.NaN;
  return m[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** Inverse of `encodeNonFinite`: a number as is, a non-finite value's name as that number; anything else undefined. */
export function decodeNonFinite(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? parseNonFinite(value) : undefined;
}

/**
 * How people see a non-finite metric value, in the CLI and the dashboard alike: the same names as on the wire
 * ("NaN", "Infinity", "-Infinity"). Finite values are left to each view's own precision.
 */
export function nonFiniteLabel(value: number): string | null {
  return Number.isFinite(value) ? null : String(encodeNonFinite(value));
}
