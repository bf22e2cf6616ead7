import type { DiscreteSpace } from './discrete-space';
import type { SuggestRequest } from './types';

/**
 * Indexes of the points of `space` already handed out: every finished trial (whatever its status) and every
 * pending one. Params that are not a point of this space (config changed since) are ignored.
 */
export function seenIndexes(space: DiscreteSpace, req: Pick<SuggestRequest, 'finished' | 'pending'>): Set<bigint> {
  const seen = new Set<bigint>();
  const add = (params: Parameters<DiscreteSpace['indexOf']>[0]) => {
    const index = space.indexOf(params);
    if (index !== undefined) seen.add(index);
  };
  for (const observation of req.finished) add(observation.params);
  for (const params of req.pending) add(params);
  return seen;
}
