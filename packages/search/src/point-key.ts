import type { Params, SearchSpace } from '@hyperfleet/domain';
import { canonicalKey } from './canonical-key';
import { getPath, setPath } from './param-path';

/** Only the search space's parameters of `params`: extra keys a trial may carry do not affect identity. */
export function projectParams(space: SearchSpace, params: Params): Params {
  const projected: Params = {};
  for (const param of space.params) {
    const value = getPath(params, param.path);
    if (value !== undefined) setPath(projected, param.path, value);
  }
  return projected;
}

/** Canonical key of a point of `space`: what strategies compare to decide "seen before". */
export function pointKey(space: SearchSpace, params: Params): string {
  return canonicalKey(projectParams(space, params));
}
