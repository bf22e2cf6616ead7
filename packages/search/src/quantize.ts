/**
 * Removes binary floating-point noise from a computed value (3 * 0.1 → 0.3) by keeping 15 significant
 * digits; integers, ±0 and non-finite values pass through (with -0 turned into 0).
 */
export function cleanFloat(value: number): number {
  if (value === 0) return 0;
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  return Number(value.toPrecision(15));
}

/** W&B's q_* rule: round(x / q) * q, cleaned so 0.30000000000000004 reads 0.3. */
export function quantize(value: number, q: number): number {
  return cleanFloat(Math.round(value / q) * q);
}
