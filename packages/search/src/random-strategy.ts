import type { Params, SearchSpace } from '@hyperfleet/domain';
import { createDiscreteSpace } from './discrete-space';
import { pointKey } from './point-key';
import { isDiscreteSpace, randomSupportAxis } from './random-support';
import { trialRng } from './rng';
import { sampleParams } from './sample-distribution';
import { seenIndexes } from './seen-indexes';
import type { Strategy, SuggestRequest, SuggestResult } from './types';
import { validateRequest } from './validate-request';

/** Re-draws from the trial's own stream before falling back to a scan; enough when most of the space is free. */
export const MAX_DRAWS = 32;

function withReplacement(req: SuggestRequest): SuggestResult {
  const suggestions = Array.from({ length: req.n }, (_, i) =>
    sampleParams(req.space, trialRng(req.seed, req.startIndex + i)),
  );
  return { suggestions, exhausted: false };
}

/** Spaces with a continuous parameter: re-draw on a (practically impossible) repeat, never exhaust. */
function continuousWithoutReplacement(req: SuggestRequest): SuggestResult {
  const seen = new Set<string>();
  for (const observation of req.finished) seen.add(pointKey(req.space, observation.params));
  for (const params of req.pending) seen.add(pointKey(req.space, params));
  const suggestions: Params[] = [];
  for (let i = 0; i < req.n; i++) {
    const rng = trialRng(req.seed, req.startIndex + i);
    let point = sampleParams(req.space, rng);
    for (let draw = 1; draw < MAX_DRAWS && seen.has(pointKey(req.space, point)); draw++) {
      point = sampleParams(req.space, rng);
    }
    seen.add(pointKey(req.space, point));
    suggestions.push(point);
  }
  return { suggestions, exhausted: false };
}

function discreteWithoutReplacement(req: SuggestRequest, space: SearchSpace): SuggestResult {
  const support = createDiscreteSpace(space.params, (param) => {
    const axis = randomSupportAxis(param);
    if (!axis) throw new Error(`internal: ${param.name} is not discrete`);
    return axis;
  });
  const seen = seenIndexes(support, req);
  const suggestions: Params[] = [];
  for (let i = 0; i < req.n && BigInt(seen.size) < support.size; i++) {
    const rng = trialRng(req.seed, req.startIndex + i);
    let index: bigint | undefined;
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      index = support.indexOf(sampleParams(space, rng));
      if (index === undefined) throw new Error('internal: a sampled point is outside its support');
      if (!seen.has(index)) break;
    }
    // Still a repeat after MAX_DRAWS (space nearly used up): take the next free point after the last draw.
    // Deterministic, and at most |seen| steps.
    let chosen = index ?? 0n;
    while (seen.has(chosen)) chosen = (chosen + 1n) % support.size;
    seen.add(chosen);
    // Rebuilt from the index so the returned params are exactly the support's spelling of the point.
    suggestions.push(support.paramsAt(chosen));
  }
  return { suggestions, exhausted: BigInt(seen.size) >= support.size };
}

/**
 * Random search. Suggestion i is drawn from seedrandom.alea(`${seed}:${startIndex + i}`), so trial k is the
 * same whatever order earlier trials finish in. Without replacement (the default when every parameter is
 * finite and discrete) no point repeats among finished + pending + this batch, and `exhausted` reports
 * when the space is used up; a space with a continuous parameter never exhausts.
 */
export const randomStrategy: Strategy = (req) => {
  validateRequest(req);
  const discrete = isDiscreteSpace(req.space);
  if (!(req.options?.withoutReplacement ?? discrete)) return withReplacement(req);
  return discrete ? discreteWithoutReplacement(req, req.space) : continuousWithoutReplacement(req);
};
