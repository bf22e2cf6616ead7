import { parseNonFinite } from '@hyperfleet/domain';

// Decimal number as printed by Python, JS, C (`0.5`, `-3`, `.5`, `1e-4`, `5.`).
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Starts like a number: a value such as `1.2.3` or `0.5s` is a broken metric, not prose.
const NUMBERISH = /^[+-]?(?:\d|\.\d|nan\b|inf)/i;

/** Parse a metric value written as text. NaN and ±Infinity are valid metric values. */
export function parseMetricValue(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  return parseNonFinite(text);
}

/** True when the text begins like a number, so failing to parse it means the metric is malformed. */
export function looksNumeric(text: string): boolean {
  return NUMBERISH.test(text);
}

/**
 * A step as a line wrote it: any number. Whether it can be stored (an integer in 0..MAX_STEP) is judged where
 * points are ingested (domain's stepDropReason), so a point at step -1 is counted as dropped, not lost as a
 * malformed line.
 */
export function isStepNumber(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}
