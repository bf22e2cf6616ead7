/**
 * Postgres array literals built here rather than by pg: its `arrayString` escapes every element with two
 * regex replaces and grows the literal one concatenation at a time, which made it the controller's largest
 * allocator on the scheduler's batch saves (about a quarter of the bytes per trial).
 */

export function numberArray(xs: readonly number[]): string {
  return `{${xs.join(',')}}`;
}

const NEEDS_ESCAPE = /[\\"]/;

function quoted(s: string): string {
  return NEEDS_ESCAPE.test(s) ? `"${s.replace(/[\\"]/g, '\\$&')}"` : `"${s}"`;
}

export function textArray(xs: readonly string[]): string {
  const parts = new Array<string>(xs.length);
  let prev: string | undefined;
  let last = '';
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    // Ids and keys repeat row after row: quote each distinct run once.
    if (x !== prev) {
      prev = x;
      last = quoted(x);
    }
    parts[i] = last;
  }
  return `{${parts.join(',')}}`;
}

/** Numbers as written, strings quoted, null (and undefined) as NULL: one nullable scalar column. */
export function scalarArray(xs: readonly unknown[]): string {
  const parts = new Array<string>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    parts[i] = x === null || x === undefined ? 'NULL' : typeof x === 'string' ? quoted(x) : String(x);
  }
  return `{${parts.join(',')}}`;
}

/**
 * A column of JSON texts (null for SQL NULL) as one JSON array: no escaping at all, and Postgres parses the
 * documents once, as jsonb. Unpack with `jsonbColumn`.
 */
export function jsonArray(xs: ReadonlyArray<string | null>): string {
  const parts = new Array<string>(xs.length);
  for (let i = 0; i < xs.length; i++) parts[i] = xs[i] ?? 'null';
  return `[${parts.join(',')}]`;
}

/** SQL for a jsonb[] from a `jsonArray` parameter, in order; a JSON null element is SQL NULL again. */
export function jsonbColumn(param: string): string {
  return `ARRAY(SELECT NULLIF(e, 'null'::jsonb) FROM jsonb_array_elements(${param}::jsonb) WITH ORDINALITY AS j(e, i) ORDER BY i)`;
}
