import type { SearchMethod } from '@hyperfleet/domain';
import { bayesStrategy } from './bayes/bayes-strategy';
import { UnknownMethodError } from './errors';
import { gridStrategy } from './grid-strategy';
import { randomStrategy } from './random-strategy';
import { tpeStrategy } from './tpe/tpe-strategy';
import type { Strategy } from './types';

/** Methods this build ships. */
export type AvailableMethod = SearchMethod;

export const strategies: Readonly<Record<AvailableMethod, Strategy>> = Object.freeze({
  grid: gridStrategy,
  random: randomStrategy,
  bayes: bayesStrategy,
  tpe: tpeStrategy,
});

function isAvailable(method: string): method is AvailableMethod {
  return Object.hasOwn(strategies, method);
}

/** The strategy for a sweep's `method`; anything else throws UnknownMethodError. */
export function createStrategy(method: SearchMethod | string): Strategy {
  if (isAvailable(method)) return strategies[method];
  throw new UnknownMethodError(method);
}
