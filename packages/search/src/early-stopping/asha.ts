import type { Goal } from '@hyperfleet/domain';
import { formatValue } from './format-value';
import { quantileSorted } from './quantile';
import type { EarlyStopper, StopDecision } from './types';

export interface AshaConfig {
  grace_period: number;
  reduction_factor: number;
  max_t?: number;
}

/** Rung iterations grace·rf^k below max_t (Ray Tune's milestones); unbounded max_t gives 40 rungs. */
export function ashaRungs(config: AshaConfig): number[] {
  const rungs: number[] = [];
  for (let t = config.grace_period; rungs.length < 40; t *= config.reduction_factor) {
    const rung = Math.round(t);
    if (config.max_t !== undefined && rung >= config.max_t) break;
    if (rungs[rungs.length - 1] !== rung) rungs.push(rung);
  }
  return rungs;
}

/**
 * Asynchronous successive halving (Ray Tune's AsyncHyperBandScheduler): when a trial reaches a rung it is
 * compared once against every trial's value at that rung so far; unless it is in the best
 * 1/reduction_factor (cutoff = that quantile, linear interpolation) it stops. Trials that reach `max_t`
 * reports stop too (they used their budget), as in Ray.
 */
export function createAshaStopper(config: AshaConfig, goal: Goal, metric: string): EarlyStopper {
  const rungs = ashaRungs(config);
  const sign = goal === 'maximize' ? -1 : 1;
  return {
    evaluate(trial, previousCount, all): StopDecision {
      const count = trial.values.length;
      if (config.max_t !== undefined && count >= config.max_t && previousCount < config.max_t) {
        const value = trial.values[config.max_t - 1]!;
        return {
          stop: true,
          rule: 'asha',
          rung: rungs.length + 1,
          iteration: config.max_t,
          threshold: value,
          value,
          reason: `asha: reached max_t (${config.max_t} steps)`,
        };
      }
      // Rungs crossed by this batch, lowest first: a trial that falls at one never reaches the next.
      for (let i = 0; i < rungs.length; i++) {
        const t = rungs[i]!;
        if (t > count) break;
        if (t <= previousCount) continue;
        const recorded = all
          .filter((h) => h.values.length >= t)
          .map((h) => sign * h.values[t - 1]!)
          .sort((a, b) => a - b);
        const cutoff = quantileSorted(recorded, 1 / config.reduction_factor);
        const value = sign * trial.values[t - 1]!;
        if (value > cutoff) {
          return {
            stop: true,
            rule: 'asha',
            rung: i + 1,
            iteration: t,
            threshold: sign * cutoff,
            value: sign * value,
            reason:
              `asha: rung ${i + 1} (step ${t}): ${metric} ${formatValue(sign * value)} worse than cutoff ` +
              `${formatValue(sign * cutoff)} (top 1/${formatValue(config.reduction_factor)} of ${recorded.length} trials)`,
          };
        }
      }
      return { stop: false };
    },
  };
}
