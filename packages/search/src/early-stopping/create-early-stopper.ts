import type { EarlyTerminateConfig, Goal } from '@hyperfleet/domain';
import { createAshaStopper } from './asha';
import { createHyperbandStopper } from './hyperband';
import { createMedianStopper } from './median';
import type { EarlyStopper } from './types';

/** The rule a sweep's `early_terminate` block asks for, judging the sweep metric `metric` by `goal`. */
export function createEarlyStopper(config: EarlyTerminateConfig, goal: Goal, metric: string): EarlyStopper {
  switch (config.type) {
    case 'hyperband':
      return createHyperbandStopper(config, goal, metric);
    case 'asha':
      return createAshaStopper(config, goal, metric);
    case 'median':
      return createMedianStopper(config, goal, metric);
  }
}
