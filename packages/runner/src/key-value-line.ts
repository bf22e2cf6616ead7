import { isStepNumber, looksNumeric, parseMetricValue } from './metric-value';
import type { LineParse } from './types';

const PAIR = /^([A-Za-z_][\w.\-/]*)=([^=].*)$/;
const STEP_KEYS = new Set(['step', '_step']);

/**
 * Katib-style `name=value` pairs: `epoch=3 loss=0.21 val_acc=0.9`, also with spaces around `=` or commas
 * between pairs, and inside other text (`2024-01-01 INFO epoch=3 loss=0.2`). A `step`/`_step` pair gives
 * the step. A line made only of pairs must be all numbers (`loss=abc` is malformed); in a line with other
 * words, word values are just prose (`saving to path=/tmp/x`), but a broken number (`loss=0.5.1`) is malformed.
 */
export function parseKeyValueLine(line: string): LineParse {
  if (!line.includes('=')) return { kind: 'ignored' };
  const tokens = line
    .replace(/\s*=\s*/g, '=')
    .split(/\s+/)
    .map((t) => t.replace(/[,;]+$/, ''))
    .filter((t) => t.length > 0);
  const pairs: Array<[string, string]> = [];
  for (const token of tokens) {
    const m = PAIR.exec(token);
    if (m) pairs.push([m[1] as string, m[2] as string]);
  }
  if (pairs.length === 0) return { kind: 'ignored' };
  const onlyPairs = pairs.length === tokens.length;

  const entries: Array<[string, number]> = [];
  let step: number | undefined;
  for (const [key, raw] of pairs) {
    const value = parseMetricValue(raw);
    if (value === undefined) {
      if (onlyPairs || looksNumeric(raw)) return { kind: 'malformed', reason: `${key}=${raw} is not a number` };
      continue;
    }
    if (STEP_KEYS.has(key)) {
      if (!isStepNumber(value)) return { kind: 'malformed', reason: `${key}=${raw} is not a number` };
      step = value;
      continue;
    }
    entries.push([key, value]);
  }
  if (entries.length === 0) return { kind: 'ignored' };
  return step === undefined ? { kind: 'metrics', entries } : { kind: 'metrics', step, entries };
}
