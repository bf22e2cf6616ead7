import type { SearchSpace, SpaceParam } from './domain';
import { isNestedParameter, type ParametersConfig } from './parameter-spec';
import type { SweepConfig } from './sweep-config';

/**
 * The flat search space of a validated config: one entry per leaf, in config order, nested names
 * joined with dots (`optimizer.lr`, path ['optimizer', 'lr']). A flat W&B name that contains dots
 * (`model.depth`, common with Hydra) keeps them in its name but is one path segment.
 */
export function toSearchSpace(config: Pick<SweepConfig, 'parameters'>): SearchSpace {
  const params: SpaceParam[] = [];
  collect(config.parameters, [], params);
  return { params };
}

function collect(parameters: ParametersConfig, prefix: string[], out: SpaceParam[]): void {
  for (const [name, param] of Object.entries(parameters)) {
    const path = [...prefix, name];
    if (isNestedParameter(param)) collect(param.parameters, path, out);
    // A copy, so a search strategy cannot mutate the config it came from.
    else out.push({ name: path.join('.'), path, dist: structuredClone(param) });
  }
}
