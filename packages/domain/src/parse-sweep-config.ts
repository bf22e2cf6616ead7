import { readFile } from 'node:fs/promises';
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError } from './config-error';
import { type ConfigIssue, type PathSegment, type RawIssue, renderIssue } from './config-issue';
import { HyperfleetError } from './errors';
import { markFloatBounds } from './float-literals';
import type { SweepConfig } from './sweep-config';
import { type ValidationResult, validateSweepConfigRaw } from './validate-sweep-config';

/**
 * Parses and validates a sweep config from YAML text (JSON is YAML, so .json files work too).
 * YAML syntax errors come back as issues with line and column; so do validation issues, pointing
 * at the offending key. `sourceName` (usually the file path) only labels messages.
 *
 * YAML 1.2 rules apply (the `yaml` package's core schema): `1e-5` is a number, while `yes`/`no` are
 * strings — PyYAML (W&B) reads YAML 1.1 and sees them the other way round.
 */
export function parseSweepConfig(text: string, sourceName = '<config>'): ValidationResult {
  const lineCounter = new LineCounter();
  // intAsBigInt tells `min: 1` (int) from `min: 1.0` (float), which W&B's inference depends on.
  const doc = parseDocument(text, { lineCounter, intAsBigInt: true, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number | undefined) => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error): ConfigIssue => {
      // prettyErrors is off (it rewrites the message), so the position comes from the offset.
      const at = position(error.pos[0]);
      const where = at === undefined ? '' : ` at line ${at.line}, column ${at.column}`;
      const summary = firstLine(error.message);
      const found: ConfigIssue = {
        path: '',
        expected: 'valid YAML',
        found: at === undefined ? summary : `${describeLine(text, at.line)} (line ${at.line})`,
        message: `${sourceName}: invalid YAML${where}: ${summary}`,
      };
      const hint = yamlHint(error.code);
      if (hint !== undefined) found.hint = hint;
      if (at !== undefined) {
        found.line = at.line;
        found.column = at.column;
      }
      return found;
    });
    return { ok: false, issues, warnings: [] };
  }

  if (doc.contents === null) {
    const empty: ConfigIssue = {
      path: '',
      expected: 'a mapping with at least `method` and `parameters`',
      found: 'an empty document',
      hint: 'start from `method: random`, `program: train.py`, `parameters: {lr: {min: 0.0001, max: 0.1}}`',
      message: `${sourceName}: the file is empty`,
    };
    return { ok: false, issues: [empty], warnings: [] };
  }

  const raw = fromYaml(doc.toJS({ maxAliasCount: 100 }));
  const result = validateSweepConfigRaw(raw);
  const place = (item: RawIssue) => renderIssue(item, position(offsetOf(doc, item.path)));
  const byLine = (a: ConfigIssue, b: ConfigIssue) => (a.line ?? Infinity) - (b.line ?? Infinity);
  const yamlWarnings = doc.warnings.map(
    (warning): ConfigIssue => ({
      path: '',
      expected: 'YAML without warnings',
      found: firstLine(warning.message),
      message: `${sourceName}: ${firstLine(warning.message)}`,
      ...position(warning.pos[0]),
    }),
  );
  const warnings = [...yamlWarnings, ...result.warnings.map(place)].sort(byLine);
  if (result.config !== undefined && result.issues.length === 0) return { ok: true, config: result.config, warnings };
  return { ok: false, issues: result.issues.map(place).sort(byLine), warnings };
}

/** Reads and validates a sweep config file. Throws HyperfleetError CONFIG_UNREADABLE if it cannot be read. */
export async function loadSweepConfig(file: string): Promise<ValidationResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HyperfleetError('CONFIG_UNREADABLE', `cannot read sweep config ${file}: ${(error as Error).message}`, {
      hint: code === 'ENOENT' ? 'check the path; it is relative to the current directory' : undefined,
      cause: error,
    });
  }
  return parseSweepConfig(text, file);
}

/** The config of a successful result; otherwise throws a ConfigError carrying every issue. */
export function requireValidConfig(result: ValidationResult, source?: string): SweepConfig {
  if (result.ok) return result.config;
  throw new ConfigError(result.issues, source === undefined ? {} : { source });
}

/** The source line an error points at, for the `found` field. */
function describeLine(text: string, line: number): string {
  const content = (text.split(/\r?\n/)[line - 1] ?? '').trim();
  if (content === '') return 'an empty line';
  return JSON.stringify(content.length > 60 ? `${content.slice(0, 59)}…` : content);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once per mapping; merge the two entries';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and the brackets/quotes around this spot';
    case 'MULTIPLE_DOCS':
      return 'a sweep file holds one document; remove the extra `---`';
    default:
      return undefined;
  }
}

/**
 * Plain JSON-like data from the parsed YAML: BigInt integers become numbers, and parameter specs
 * whose `min`/`max` were float literals are remembered for W&B's int/float inference.
 */
function fromYaml(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(fromYaml);
  if (value instanceof Map) return fromYaml(Object.fromEntries(value));
  if (typeof value === 'object' && value !== null) {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(source)) {
      // defineProperty: a YAML key named `__proto__` must stay data, not replace the prototype.
      Object.defineProperty(out, key, { value: fromYaml(item), enumerable: true, writable: true, configurable: true });
    }
    const isFloat = (v: unknown) => typeof v === 'number';
    if (isFloat(source.min) || isFloat(source.max)) markFloatBounds(out);
    return out;
  }
  return value;
}

/** Source offset of the node a path points at (the key, for mapping entries), or of its nearest ancestor. */
function offsetOf(doc: Document, path: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
      if (pair === undefined) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = (item as Node).range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}
