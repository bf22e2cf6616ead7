/** One problem in a sweep config. Every validation path reports these, never a bare string. */
export interface ConfigIssue {
  /** Where: `parameters.lr.min`, `command[2]`, `parameters["model.depth"].values`; '' is the whole document. */
  path: string;
  /** What would have been accepted, in words: `a number >= 1`, `one of "minimize", "maximize"`. */
  expected: string;
  /** What was there, in words: `"maximise" (string)`, `nothing`. */
  found: string;
  /** What to do about it, when we can tell. */
  hint?: string;
  /** One line that stands on its own: the other fields in a sentence. */
  message: string;
  /** 1-based position in the source file, when the config came from a file. */
  line?: number;
  column?: number;
}

export type PathSegment = string | number;

/** An issue before its path is rendered; internal to the validators. */
export interface RawIssue {
  path: PathSegment[];
  expected: string;
  found: string;
  hint?: string;
  /** The message without its path prefix (the path is only final once the issue is placed). */
  summary: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `parameters.lr.min`; keys that are not plain identifiers (dots!) are quoted: `parameters["a.b"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

const MAX_FOUND_LENGTH = 60;

/** A short description of a value for the `found` field: `"maximise" (string)`, `[] (empty list)`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `${truncate(JSON.stringify(value))} (string)`;
  if (typeof value === 'number') return `${String(value)} (number)`;
  if (typeof value === 'boolean') return `${String(value)} (boolean)`;
  if (typeof value === 'bigint') return `${String(value)} (integer)`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[] (empty list)';
    return `${truncate(safeJson(value))} (list of ${value.length})`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return '{} (empty mapping)';
    return `a mapping with keys ${truncate(keys.join(', '))}`;
  }
  return typeof value;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string): string {
  return text.length <= MAX_FOUND_LENGTH ? text : `${text.slice(0, MAX_FOUND_LENGTH - 1)}…`;
}

/** Builds a RawIssue; the summary defaults to "expected X, found Y". */
export function issue(
  path: readonly PathSegment[],
  expected: string,
  found: string,
  hint?: string,
  summary?: string,
): RawIssue {
  const base = { path: [...path], expected, found, summary: summary ?? `expected ${expected}, found ${found}` };
  return hint === undefined ? base : { ...base, hint };
}

/** The public form: path rendered, message = "<path>: <summary>". */
export function renderIssue(raw: RawIssue, position?: { line: number; column: number }): ConfigIssue {
  const path = formatPath(raw.path);
  const rendered: ConfigIssue = {
    path,
    expected: raw.expected,
    found: raw.found,
    message: `${path || '(config)'}: ${raw.summary}`,
  };
  if (raw.hint !== undefined) rendered.hint = raw.hint;
  if (position !== undefined) {
    rendered.line = position.line;
    rendered.column = position.column;
  }
  return rendered;
}
