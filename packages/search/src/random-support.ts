import type { SearchSpace, SpaceParam } from '@hyperfleet/domain';
import { type Axis, numericAxis, valuesAxis } from './axis';
import { quantize } from './quantize';

const FINITE_DISCRETE = new Set(['constant', 'categorical', 'int_uniform', 'q_uniform']);

/** True when every parameter takes finitely many values that random search can enumerate. */
export function isDiscreteSpace(space: SearchSpace): boolean {
  return space.params.every((param) => FINITE_DISCRETE.has(param.dist.distribution));
}

/**
 * The values random sampling can produce for a finite discrete parameter, spelled exactly as
 * sampleDistribution spells them: categorical values with probability > 0; int_uniform min..max;
 * q_uniform the multiples k·q with round(min/q) ≤ k ≤ round(max/q) (W&B rounds, it does not step from min).
 * Undefined for anything else.
 */
export function randomSupportAxis(param: SpaceParam): Axis | undefined {
  const dist = param.dist;
  switch (dist.distribution) {
    case 'constant':
      return valuesAxis([dist.value]);
    case 'categorical': {
      const probabilities = dist.probabilities;
      return valuesAxis(probabilities ? dist.values.filter((_, i) => (probabilities[i] ?? 0) > 0) : dist.values);
    }
    case 'int_uniform':
      return numericAxis(
        dist.max - dist.min + 1,
        (k) => dist.min + k,
        (v) => v - dist.min,
      );
    case 'q_uniform': {
      const { q } = dist;
      const first = Math.round(dist.min / q);
      const last = Math.round(dist.max / q);
      return numericAxis(
        last - first + 1,
        (k) => quantize((first + k) * q, q),
        (v) => v / q - first,
      );
    }
    default:
      return undefined;
  }
}
