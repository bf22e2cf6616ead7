import type { ParamValue } from '@hyperfleet/domain';
import { canonicalKey, canonicalNumber } from './canonical-key';

/**
 * The finite, ordered values one parameter takes in a discrete space. Values are computed on demand,
 * so an int_uniform over 0..10^9 costs nothing until a point is actually asked for.
 */
export interface Axis {
  readonly size: bigint;
  /** Value at `index` (0 ≤ index < size). */
  at(index: bigint): ParamValue;
  /** Index of `value` on this axis (canonical equality: 3e6 = 3000000), or undefined when it is not on it. */
  indexOf(value: ParamValue | undefined): bigint | undefined;
}

/** Explicit values, deduplicated by canonical key (first spelling wins) so no grid point appears twice. */
export function valuesAxis(values: readonly ParamValue[]): Axis {
  const unique: ParamValue[] = [];
  const indexByKey = new Map<string, number>();
  for (const value of values) {
    const key = canonicalKey(value);
    if (indexByKey.has(key)) continue;
    indexByKey.set(key, unique.length);
    unique.push(value);
  }
  return {
    size: BigInt(unique.length),
    at: (index) => unique[Number(index)] as ParamValue,
    indexOf: (value) => {
      if (value === undefined) return undefined;
      const index = indexByKey.get(canonicalKey(value));
      return index === undefined ? undefined : BigInt(index);
    },
  };
}

/**
 * `count` numbers given by `valueAt(k)`, k = 0..count-1, strictly monotonic in k; `guess(v)` is the
 * (possibly fractional) k for value v. A value is on the axis only if it canonically equals valueAt(round(guess)).
 */
export function numericAxis(count: number, valueAt: (k: number) => number, guess: (value: number) => number): Axis {
  const size = BigInt(Math.max(0, count));
  return {
    size,
    at: (index) => valueAt(Number(index)),
    indexOf: (value) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      const k = Math.round(guess(value));
      if (!(k >= 0 && k < count)) return undefined;
      return canonicalNumber(valueAt(k)) === canonicalNumber(value) ? BigInt(k) : undefined;
    },
  };
}
