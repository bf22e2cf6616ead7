import { decodeNonFinite } from '@hyperfleet/domain';

/**
 * Float columns: SQLite's REAL keeps ±Infinity but silently turns NaN into NULL, which would be
 * indistinguishable from "no metric". We write NaN as the text 'NaN' instead — SQLite keeps it as TEXT
 * in a REAL column, and Postgres parses the same text into float8 NaN. Nice side effect: both
 * databases sort NaN above every number (SQLite: TEXT > REAL; Postgres: NaN > Infinity), so ORDER BY
 * behaves the same on both. ±Infinity stay numbers (as text SQLite would sort them above every number), so
 * this is not domain's JSON codec (encodeNonFinite), though decoding goes through it.
 */
export function encodeFloat(v: number): number | string {
  return Number.isNaN(v) ? 'NaN' : v;
}

export function encodeNullableFloat(v: number | null): number | string | null {
  return v === null ? null : encodeFloat(v);
}

/**
 * Accepts what either driver hands back: a number, the text 'NaN' (SQLite), a non-finite value's name (Postgres
 * json_agg), a numeric string from a driver that returns them as text, or null.
 */
export function decodeNullableFloat(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return decodeNonFinite(v) ?? Number(v);
}

export function decodeFloat(v: unknown): number {
  return decodeNullableFloat(v) ?? Number.NaN;
}

export function encodeJson(v: unknown): string {
  return JSON.stringify(v ?? null);
}

/** SQLite returns JSON as text; pg has already parsed JSONB. */
export function decodeJson(v: unknown, parsed: boolean): unknown {
  if (v === null || v === undefined) return null;
  return parsed ? v : JSON.parse(v as string);
}
