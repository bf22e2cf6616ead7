import type { SpaceParam } from '@hyperfleet/domain';
import { type Axis, numericAxis, valuesAxis } from './axis';
import { GridUnsupportedDistributionError } from './errors';
import { cleanFloat } from './quantize';

/** Number of steps of size q from min that land on or before max, tolerating float error ((1 - 0) / 0.1 = 9.999…). */
function stepCount(min: number, max: number, q: number): number {
  if (!(q > 0) || max < min) return 0;
  const ratio = (max - min) / q;
  const nearest = Math.round(ratio);
  const steps = Math.abs(ratio - nearest) <= 1e-9 * Math.max(1, Math.abs(ratio)) ? nearest : Math.floor(ratio);
  return steps + 1;
}

/**
 * The grid values of one parameter: constant → [value]; categorical → its values (probabilities are
 * ignored: a grid visits every value once); int_uniform → min..max; q_uniform → min, min+q, …, ≤ max
 * (max included when it is on the step; W&B's np.arange leaves it out, which surprises users).
 */
export function gridAxis(param: SpaceParam): Axis {
  const dist = param.dist;
  switch (dist.distribution) {
    case 'constant':
      return valuesAxis([dist.value]);
    case 'categorical':
      return valuesAxis(dist.values);
    case 'int_uniform': {
      const min = Math.ceil(dist.min);
      const max = Math.floor(dist.max);
      return numericAxis(
        max - min + 1,
        (k) => min + k,
        (v) => v - min,
      );
    }
    case 'q_uniform': {
      const { min, q } = dist;
      return numericAxis(
        stepCount(min, dist.max, q),
        (k) => cleanFloat(min + k * q),
        (v) => (v - min) / q,
      );
    }
    default:
      throw new GridUnsupportedDistributionError(param.name, dist.distribution);
  }
}
