import type { Params, SearchSpace } from '@hyperfleet/domain';
import { createDiscreteSpace } from './discrete-space';
import { isDiscreteSpace, randomSupportAxis } from './random-support';
import type { Rng } from './rng';
import { sampleParams } from './sample-distribution';

/**
 * When a model-based strategy's every candidate was already tried (a small discrete space): a random
 * unseen point, else a deterministic scan from a random index. `take` returns false for a seen point.
 */
export function takeUnseen(space: SearchSpace, rng: Rng, take: (p: Params) => boolean, exhausted: () => boolean) {
  for (let draw = 0; draw < 64; draw++) if (take(sampleParams(space, rng))) return;
  if (!isDiscreteSpace(space) || exhausted()) return;
  const support = createDiscreteSpace(space.params, (param) => randomSupportAxis(param)!);
  let index = BigInt(Math.floor(rng() * 2 ** 31)) % support.size;
  for (let step = 0n; step < support.size; step++, index = (index + 1n) % support.size) {
    if (take(support.paramsAt(index))) return;
  }
}

/** Size of a fully discrete space (undefined when a parameter is continuous). */
export function discreteSize(space: SearchSpace): bigint | undefined {
  if (!isDiscreteSpace(space)) return undefined;
  return createDiscreteSpace(space.params, (param) => randomSupportAxis(param)!).size;
}
