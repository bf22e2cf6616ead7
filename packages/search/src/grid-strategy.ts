import type { SearchSpace } from '@hyperfleet/domain';
import { createDiscreteSpace, type DiscreteSpace } from './discrete-space';
import { gridAxis } from './grid-axis';
import { type IndexPermutation, seededPermutation } from './seeded-permutation';
import { seenIndexes } from './seen-indexes';
import type { Strategy } from './types';
import { validateRequest } from './validate-request';

/** The grid of `space` (throws GridUnsupportedDistributionError naming the first non-enumerable parameter). */
export function gridSpace(space: SearchSpace): DiscreteSpace {
  return createDiscreteSpace(space.params, gridAxis);
}

/**
 * Number of distinct grid points, for progress bars and run_cap checks. A plain number (inexact beyond
 * 2^53, which no sweep finishes anyway); gridSpace(space).size is the exact bigint.
 */
export function gridSize(space: SearchSpace): number {
  return Number(gridSpace(space).size);
}

const identity = (size: bigint): IndexPermutation => ({ size, forward: (p) => p, inverse: (i) => i });

/**
 * Grid search. Points are visited in cartesian order (config order, last parameter fastest) or, with
 * options.shuffle, in an order seeded by the sweep seed alone — so a restarted scheduler sees the same
 * order. What is left is derived from finished + pending every call: nothing is remembered between calls.
 */
export const gridStrategy: Strategy = (req) => {
  validateRequest(req);
  const grid = gridSpace(req.space);
  const order = req.options?.shuffle ? seededPermutation(grid.size, String(req.seed)) : identity(grid.size);

  // Positions (in visiting order) already taken, sorted, so the free ones are the gaps: no scan of the grid.
  const taken = [...seenIndexes(grid, req)]
    .map((index) => order.inverse(index))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  const positions: bigint[] = [];
  let position = 0n;
  let next = 0;
  while (positions.length < req.n && position < grid.size) {
    if (next < taken.length && taken[next] === position) {
      next++;
    } else {
      positions.push(position);
    }
    position++;
  }

  return {
    suggestions: positions.map((p) => grid.paramsAt(order.forward(p))),
    exhausted: BigInt(taken.length + positions.length) >= grid.size,
  };
};
