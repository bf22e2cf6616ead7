import { StoreError } from './store-error';

/**
 * Picks at most `maxPoints` items at an even stride, always keeping the first and the last
 * (the curve's start and its latest value are what a chart must not lose).
 * maxPoints = 1 keeps only the last item.
 */
export function downsample<T>(items: readonly T[], maxPoints: number | undefined): T[] {
  if (maxPoints === undefined) return items.slice();
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new StoreError('STORE_INVALID', `maxPoints must be a positive integer, got ${maxPoints}`);
  }
  if (items.length <= maxPoints) return items.slice();
  const n = items.length;
  if (maxPoints === 1) return [items[n - 1]!];
  const out: T[] = new Array(maxPoints);
  const stride = (n - 1) / (maxPoints - 1);
  // Indices round(i * stride) are strictly increasing because stride > 1, so no duplicates.
  for (let i = 0; i < maxPoints; i++) out[i] = items[Math.round(i * stride)]!;
  return out;
}
