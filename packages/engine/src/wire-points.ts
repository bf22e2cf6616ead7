import type { MetricPoint, MetricSample } from '@hyperfleet/domain';

/** Steps above this are a bug in the reporting program (a timestamp logged as a step, say), not a step. */
export const MAX_STEP = 1e12;

export type DropReason = 'bad_step' | 'bad_value' | 'bad_key';

export interface ConvertedPoints {
  points: MetricPoint[];
  dropped: Record<DropReason, number>;
}

/**
 * Wire points → store points. Agents are not trusted: points with a missing key, a non-integer, negative or
 * absurd step, or a value that is not a number are dropped and counted. NaN and ±Infinity values are kept
 * (a diverging loss is data); the transport has already decoded their JSON names (domain's non-finite codec).
 */
export function toMetricPoints(trialId: string, wire: readonly MetricSample[], now: number): ConvertedPoints {
  const dropped: Record<DropReason, number> = { bad_step: 0, bad_value: 0, bad_key: 0 };
  const points: MetricPoint[] = [];
  for (const p of wire) {
    const raw = p as unknown as Record<string, unknown>;
    if (typeof raw.key !== 'string' || raw.key === '') {
      dropped.bad_key++;
      continue;
    }
    const step = raw.step;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > MAX_STEP) {
      dropped.bad_step++;
      continue;
    }
    const value = raw.value;
    if (typeof value !== 'number') {
      dropped.bad_value++;
      continue;
    }
    const ts = typeof raw.timestamp === 'number' && Number.isFinite(raw.timestamp) ? raw.timestamp : now;
    points.push({ trialId, key: raw.key, step, value, timestamp: ts });
  }
  return { points, dropped };
}
