import { decodeNonFinite } from '@hyperfleet/domain';
import { parseLenientJson } from './lenient-json';
import { isStepNumber } from './metric-value';
import type { LineParse } from './types';

const STEP_KEYS = ['step', '_step'];
const TIME_KEYS = ['ts', '_timestamp'];
// W&B's bookkeeping fields: never metrics themselves.
const RESERVED_KEYS = new Set([...STEP_KEYS, ...TIME_KEYS, '_runtime']);

/**
 * A stdout line holding a JSON object: either the metrics-file shape (`{"step":3,"metrics":{...}}`, what the
 * SDKs print when they fall back to stdout) or a flat object whose numeric values are metrics
 * (`{"step": 3, "val_acc": 0.9}`). Objects with no numeric values are structured logs, not metrics.
 */
export function parseJsonMetricsLine(line: string): LineParse {
  let parsed: unknown;
  try {
    parsed = parseLenientJson(line);
  } catch (error) {
    return { kind: 'malformed', reason: `invalid JSON: ${(error as Error).message}` };
  }
  if (!isPlainObject(parsed)) return { kind: 'malformed', reason: 'JSON line is not an object' };
  if (isPlainObject(parsed.metrics)) return fromObject(parsed, parsed.metrics, true);
  return fromObject(parsed, parsed, false);
}

/**
 * Shared by stdout JSON lines and the metrics file. `strict`: every value must be a metric (the file
 * contract); otherwise non-numeric values are skipped as context.
 */
export function fromObject(
  envelope: Record<string, unknown>,
  metrics: Record<string, unknown>,
  strict: boolean,
): LineParse {
  const step = firstDefined(envelope, STEP_KEYS);
  if (step !== undefined && !isStepNumber(step)) {
    return { kind: 'malformed', reason: `step ${JSON.stringify(step)} is not a number` };
  }
  const ts = firstDefined(envelope, TIME_KEYS);
  const timestamp = typeof ts === 'number' && Number.isFinite(ts) ? ts : undefined;
  if (strict && ts !== undefined && timestamp === undefined) {
    return { kind: 'malformed', reason: `ts ${JSON.stringify(ts)} is not a finite number` };
  }

  const entries: Array<[string, number]> = [];
  for (const [key, raw] of Object.entries(metrics)) {
    if (key.length === 0 || (!strict && RESERVED_KEYS.has(key))) continue;
    const value = decodeNonFinite(raw);
    if (value === undefined) {
      if (strict) return { kind: 'malformed', reason: `metric ${key} has a non-numeric value ${JSON.stringify(raw)}` };
      continue;
    }
    entries.push([key, value]);
  }
  if (entries.length === 0) return { kind: 'ignored' };
  const result: Extract<LineParse, { kind: 'metrics' }> = { kind: 'metrics', entries };
  if (step !== undefined) result.step = step;
  if (timestamp !== undefined) result.timestamp = timestamp;
  return result;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstDefined(obj: Record<string, unknown>, keys: string[]): unknown {
  for (const key of keys) if (obj[key] !== undefined) return obj[key];
  return undefined;
}
