import type { SearchMethod } from '@hyperfleet/spec';
import { MethodUnavailableError, UnknownMethodError } from './errors';
import { gridStrategy } from './grid-strategy';
import { randomStrategy } from './random-strategy';
import type { Strategy } from './types';

/** Methods this build ships. */
export type AvailableMethod = 'grid' | 'random';

export const strategies: Readonly<Record<AvailableMethod, Strategy>> = Object.freeze({
  grid: gridStrategy,
  random: randomStrategy,
});

const KNOWN_METHODS: ReadonlySet<string> = new Set<SearchMethod>(['grid', 'random', 'bayes', 'tpe']);

function isAvailable(method: string): method is AvailableMethod {
  return Object.hasOwn(strategies, method);
}

/** The strategy for a sweep's `method`; bayes/tpe throw MethodUnavailableError, anything else UnknownMethodError. */
export function createStrategy(method: SearchMethod | string): Strategy {
  if (isAvailable(method)) return strategies[method];
  if (KNOWN_METHODS.has(method)) throw new MethodUnavailableError(method);
  throw new UnknownMethodError(method);
}
