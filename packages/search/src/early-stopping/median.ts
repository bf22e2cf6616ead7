import type { Goal } from '@hyperfleet/domain';
import { formatValue } from './format-value';
import { quantileSorted } from './quantile';
import type { EarlyStopper, StopDecision } from './types';

export interface MedianConfig {
  warmup_steps: number;
  min_trials: number;
}

/**
 * Median stopping (Optuna's MedianPruner): past `warmup_steps` iterations, once `min_trials` trials have
 * completed, a trial whose best value so far is worse than the median of the completed trials' values at
 * the same iteration stops. A real median: the mean of the middle two for an even count.
 */
export function createMedianStopper(config: MedianConfig, goal: Goal, metric: string): EarlyStopper {
  const sign = goal === 'maximize' ? -1 : 1;
  return {
    evaluate(trial, _previousCount, all): StopDecision {
      const t = trial.values.length;
      if (t <= config.warmup_steps || t === 0) return { stop: false };
      const completed = all.filter((h) => h.completed && h.trialId !== trial.trialId);
      if (completed.length < config.min_trials) return { stop: false };
      const atStep = completed
        .filter((h) => h.values.length >= t)
        .map((h) => sign * h.values[t - 1]!)
        .sort((a, b) => a - b);
      if (atStep.length === 0) return { stop: false };
      const median = quantileSorted(atStep, 0.5);
      const best = Math.min(...trial.values.map((v) => sign * v));
      if (!(best > median)) return { stop: false };
      return {
        stop: true,
        rule: 'median',
        rung: t,
        iteration: t,
        threshold: sign * median,
        value: sign * best,
        reason:
          `median: step ${t}: ${metric} ${formatValue(sign * best)} (best so far) worse than the median ` +
          `${formatValue(sign * median)} of ${atStep.length} completed trials`,
      };
    },
  };
}
