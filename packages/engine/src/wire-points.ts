import { type DroppedPoints, type MetricPoint, type MetricSample, stepDropReason } from '@hyperfleet/domain';

export interface ConvertedPoints {
  points: MetricPoint[];
  /** Per reason (domain's DROP_REASONS); only reasons that dropped something. */
  dropped: DroppedPoints;
}

/**
 * Wire points → store points. Agents are not trusted: points with a missing key, a step that cannot be stored
 * (negative, not an integer, above MAX_STEP) or a value that is not a number are dropped and counted. NaN and
 * ±Infinity values are kept (a diverging loss is data); the transport has already decoded their JSON names
 * (domain's non-finite codec).
 */
export function toMetricPoints(trialId: string, wire: readonly MetricSample[], now: number): ConvertedPoints {
  const dropped: DroppedPoints = {};
  const points: MetricPoint[] = [];
  for (const p of wire) {
    const raw = p as unknown as Record<string, unknown>;
    const reason =
      typeof raw.key !== 'string' || raw.key === ''
        ? 'bad_key'
        : (stepDropReason(raw.step) ?? (typeof raw.value !== 'number' ? 'bad_value' : null));
    if (reason !== null) {
      dropped[reason] = (dropped[reason] ?? 0) + 1;
      continue;
    }
    const ts = typeof raw.timestamp === 'number' && Number.isFinite(raw.timestamp) ? raw.timestamp : now;
    points.push({
      trialId,
      key: raw.key as string,
      step: raw.step as number,
      value: raw.value as number,
      timestamp: ts,
    });
  }
  return { points, dropped };
}
