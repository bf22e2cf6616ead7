/**
 * `json.dumps(value, sort_keys=True)` as Python writes it (", " and ": " separators, non-ASCII escaped
 * as \uXXXX): DVC hashes a directory listing in exactly this form, so the bytes must match to the byte.
 * Supports what a listing holds: arrays, objects, strings, integers.
 */
export function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (value === null) return 'null';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${pyString(k)}: ${pythonJsonDumps((value as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  throw new TypeError(`cannot encode ${typeof value}`);
}

function pyString(s: string): string {
  if (/^[ !#-[\]-~]*$/.test(s)) return `"${s}"`; // printable ASCII without " or \: as is (the common case)
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    // UTF-16 code units, so astral characters come out as surrogate pairs, as in Python.
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
