import { isStepNumber, parseMetricValue } from './metric-value';
import type { LineParse } from './types';

/**
 * Compile the configured `metrics.regex`. It needs named groups `name` and `value` (optionally `step`)
 * or two unnamed groups (name, value). Throws with a message that says what to fix.
 */
export function compileMetricsRegex(source: string): RegExp {
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'g');
  } catch (error) {
    throw new Error(
      `metrics.regex ${JSON.stringify(source)} is not a valid regular expression: ${(error as Error).message}`,
    );
  }
  // Count capture groups by matching the empty alternative: `(?:re)|` always matches "" with every group undefined.
  const groups = (new RegExp(`(?:${source})|`).exec('')?.length ?? 1) - 1;
  const named = /\(\?<name>/.test(source) && /\(\?<value>/.test(source);
  if (!named && groups < 2) {
    throw new Error(
      `metrics.regex ${JSON.stringify(source)} needs named groups (?<name>…) and (?<value>…), or two capture groups (name, value)`,
    );
  }
  return regex;
}

/** Every match of the configured regex in one line. No match → ignored; a non-numeric value → malformed. */
export function parseRegexLine(line: string, regex: RegExp): LineParse {
  const entries: Array<[string, number]> = [];
  let step: number | undefined;
  for (const m of line.matchAll(regex)) {
    const name = m.groups?.name ?? m[1];
    const raw = (m.groups?.value ?? m[2])?.trim();
    if (name === undefined || name.length === 0 || raw === undefined) continue;
    const value = parseMetricValue(raw);
    if (value === undefined) return { kind: 'malformed', reason: `${name}=${raw} is not a number` };
    const rawStep = m.groups?.step;
    if (rawStep !== undefined) {
      const s = parseMetricValue(rawStep.trim());
      if (!isStepNumber(s)) return { kind: 'malformed', reason: `step ${rawStep} is not a number` };
      step = s;
    }
    entries.push([name, value]);
  }
  if (entries.length === 0) return { kind: 'ignored' };
  return step === undefined ? { kind: 'metrics', entries } : { kind: 'metrics', step, entries };
}
