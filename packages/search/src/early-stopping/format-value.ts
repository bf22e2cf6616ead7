/** Short, readable numbers for stop reasons (4 significant digits, no float noise). */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}
