import { nonFiniteLabel, type Params, type ParamValue } from '@hyperfleet/domain';

/** A dotted parameter's value (nested `parameters` flatten to `a.b`). */
export function paramAt(params: Params, dotted: string): ParamValue | undefined {
  if (dotted in params) return params[dotted];
  let cur: ParamValue | undefined = params;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, ParamValue>)[part];
  }
  return cur;
}

export function formatParam(v: ParamValue | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return '';
  const label = nonFiniteLabel(v); // NaN, Infinity, -Infinity: as the CLI shows them
  if (label !== null) return label;
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

/** How a parameter is laid on an axis: numbers (optionally log-spaced) or categories in first-seen order. */
export type Axis =
  | { kind: 'number'; min: number; max: number; log: boolean }
  | { kind: 'category'; categories: string[] };

export function axisFor(values: readonly (ParamValue | undefined)[]): Axis {
  const nums: number[] = [];
  let allNumeric = true;
  for (const v of values) {
    if (v === undefined) continue;
    if (typeof v === 'number' && Number.isFinite(v)) nums.push(v);
    else allNumeric = false;
  }
  if (allNumeric && nums.length > 0) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const n of nums) {
      if (n < min) min = n;
      if (n > max) max = n;
    }
    // Log-spaced when the values are positive and span more than two decades (learning rates, decays).
    const log = min > 0 && max / min > 100;
    return { kind: 'number', min, max, log };
  }
  const categories: string[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    if (v === undefined) continue;
    const s = formatParam(v);
    if (!seen.has(s)) {
      seen.add(s);
      categories.push(s);
    }
  }
  return { kind: 'category', categories };
}

/** Position of a value on an axis, 0..1 (NaN when it has none). */
export function axisPosition(axis: Axis, v: ParamValue | undefined): number {
  if (v === undefined) return Number.NaN;
  if (axis.kind === 'category') {
    const i = axis.categories.indexOf(formatParam(v));
    if (i < 0) return Number.NaN;
    return axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
  }
  if (typeof v !== 'number') return Number.NaN;
  if (axis.max === axis.min) return 0.5;
  if (axis.log) return (Math.log(v) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min));
  return (v - axis.min) / (axis.max - axis.min);
}
