import type { Params, ParamValue, SpaceParam } from '@hyperfleet/domain';
import type { Axis } from './axis';
import { getPath, setPath } from './param-path';

/**
 * A finite product space indexed as a mixed-radix number: config order, the last parameter varies fastest.
 * Indexes are bigint because a product of a few large axes easily passes 2^53.
 */
export interface DiscreteSpace {
  readonly size: bigint;
  /** The point at `index` as nested params. */
  paramsAt(index: bigint): Params;
  /** Index of the point `params` is on, or undefined when some parameter is missing or off its axis. */
  indexOf(params: Params): bigint | undefined;
}

export function createDiscreteSpace(
  params: readonly SpaceParam[],
  axisFor: (param: SpaceParam) => Axis,
): DiscreteSpace {
  const axes = params.map((param) => ({ param, axis: axisFor(param) }));
  const size = axes.reduce((product, { axis }) => product * axis.size, 1n);

  return {
    size,
    paramsAt(index) {
      if (index < 0n || index >= size) throw new RangeError(`index ${index} outside a space of ${size} points`);
      const digits: ParamValue[] = new Array(axes.length);
      let rest = index;
      for (let i = axes.length - 1; i >= 0; i--) {
        const { axis } = axes[i]!;
        digits[i] = axis.at(rest % axis.size);
        rest /= axis.size;
      }
      const point: Params = {};
      axes.forEach(({ param }, i) => {
        setPath(point, param.path, digits[i] as ParamValue);
      });
      return point;
    },
    indexOf(point) {
      let index = 0n;
      for (const { param, axis } of axes) {
        const digit = axis.indexOf(getPath(point, param.path));
        if (digit === undefined) return undefined;
        index = index * axis.size + digit;
      }
      return index;
    },
  };
}
