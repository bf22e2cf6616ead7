/**
 * Metric points the engine refuses to store, counted per reason: the one definition the runner (which must
 * not let such a point become a trial's final value or move its step counter), the engine's ingest (which
 * drops and counts them, for the trial record and the Prometheus counter) and the CLI/API share.
 */

/** Steps above this are a bug in the reporting program (a ms timestamp logged as a step, say), not a step. */
export const MAX_STEP = 1e12;

/** Why a point was dropped, as the trial record and the `reason` label of the dropped-points counter name it. */
export const DROP_REASONS = {
  step_negative: 'step < 0',
  step_not_integer: 'step is not an integer',
  step_too_large: `step > ${MAX_STEP.toExponential()}`,
  bad_value: 'value is not a number',
  bad_key: 'no metric name',
} as const;
export type DropReason = keyof typeof DROP_REASONS;

/** Points dropped per reason; reasons with no drop are absent. */
export type DroppedPoints = Partial<Record<DropReason, number>>;

/** Why `step` cannot be stored, or null when it can (an integer in 0..MAX_STEP). */
export function stepDropReason(step: unknown): DropReason | null {
  if (typeof step !== 'number' || !Number.isInteger(step)) return 'step_not_integer';
  if (step < 0) return 'step_negative';
  if (step > MAX_STEP) return 'step_too_large';
  return null;
}

/** `a` plus `b`, reason by reason (a new object; zero counts left out). */
export function addDroppedPoints(a: DroppedPoints, b: DroppedPoints): DroppedPoints {
  const out: DroppedPoints = {};
  for (const reason of Object.keys(DROP_REASONS) as DropReason[]) {
    const n = (a[reason] ?? 0) + (b[reason] ?? 0);
    if (n > 0) out[reason] = n;
  }
  return out;
}

/** One line per reason, for people: `3 points dropped: step < 0`. Empty when nothing was dropped. */
export function describeDroppedPoints(dropped: DroppedPoints): string[] {
  const lines: string[] = [];
  for (const [reason, label] of Object.entries(DROP_REASONS) as [DropReason, string][]) {
    const n = dropped[reason] ?? 0;
    if (n > 0) lines.push(`${n} ${n === 1 ? 'point' : 'points'} dropped: ${label}`);
  }
  return lines;
}
