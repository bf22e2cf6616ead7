import type { Distribution, Params, ParamValue, SearchSpace } from '@hyperfleet/domain';
import { InvalidSearchInputError } from './errors';
import { setPath } from './param-path';
import { quantize } from './quantize';
import { sampleBeta, standardNormal } from './random-variates';
import type { Rng } from './rng';

// Constants and categorical values can be arrays/objects: hand out copies so trials never share mutable state.
function copy(value: ParamValue): ParamValue {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

function uniform(min: number, max: number, rng: Rng): number {
  return min + rng() * (max - min);
}

/** Index drawn by `probabilities` (W&B: first index whose cumulative probability exceeds u). */
function weightedIndex(probabilities: readonly number[], rng: Rng): number {
  const u = rng();
  let cumulative = 0;
  let lastPositive = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] ?? 0;
    if (p > 0) lastPositive = i;
    cumulative += p;
    if (p > 0 && u < cumulative) return i;
  }
  // Probabilities summing to 1 - ε leave a sliver above the last bucket; it belongs to the last real value.
  if (lastPositive < 0) throw new InvalidSearchInputError('categorical probabilities have no positive entry');
  return lastPositive;
}

function sampleCategorical(values: readonly ParamValue[], probabilities: readonly number[] | undefined, rng: Rng) {
  if (values.length === 0) throw new InvalidSearchInputError('categorical parameter has no values');
  if (probabilities !== undefined && probabilities.length !== values.length) {
    throw new InvalidSearchInputError(
      `categorical has ${values.length} values but ${probabilities.length} probabilities`,
    );
  }
  const index = probabilities
    ? weightedIndex(probabilities, rng)
    : Math.min(values.length - 1, Math.floor(rng() * values.length));
  return copy(values[index] as ParamValue);
}

/**
 * One draw from `dist` with W&B sweeps semantics (wandb/sweeps params.py):
 * int_uniform is inclusive; q_* is round(x / q) * q; log_uniform / q_log_uniform / inv_log_uniform take
 * exponent bounds (exp(U(min, max)), exp(−U(min, max))); the *_values forms take value bounds
 * (exp(U(ln min, ln max)); inv_log_uniform_values: log(1/X) ~ U(ln(1/max), ln(1/min))).
 */
export function sampleDistribution(dist: Distribution, rng: Rng): ParamValue {
  switch (dist.distribution) {
    case 'constant':
      return copy(dist.value);
    case 'categorical':
      return sampleCategorical(dist.values, dist.probabilities, rng);
    case 'int_uniform': {
      const span = dist.max - dist.min + 1;
      return dist.min + Math.min(span - 1, Math.floor(rng() * span));
    }
    case 'uniform':
      return uniform(dist.min, dist.max, rng);
    case 'q_uniform':
      return quantize(uniform(dist.min, dist.max, rng), dist.q);
    case 'log_uniform':
      return Math.exp(uniform(dist.min, dist.max, rng));
    case 'log_uniform_values':
      return Math.exp(uniform(Math.log(dist.min), Math.log(dist.max), rng));
    case 'q_log_uniform':
      return quantize(Math.exp(uniform(dist.min, dist.max, rng)), dist.q);
    case 'q_log_uniform_values':
      return quantize(Math.exp(uniform(Math.log(dist.min), Math.log(dist.max), rng)), dist.q);
    // W&B: exp(−ppf_uniform(1 − u)); 1 − u keeps its mapping from u to value.
    case 'inv_log_uniform':
      return Math.exp(-uniform(dist.min, dist.max, () => 1 - rng()));
    case 'inv_log_uniform_values':
      return Math.exp(-uniform(-Math.log(dist.max), -Math.log(dist.min), () => 1 - rng()));
    case 'normal':
      return dist.mu + dist.sigma * standardNormal(rng);
    case 'q_normal':
      return quantize(dist.mu + dist.sigma * standardNormal(rng), dist.q);
    case 'log_normal':
      return Math.exp(dist.mu + dist.sigma * standardNormal(rng));
    case 'q_log_normal':
      return quantize(Math.exp(dist.mu + dist.sigma * standardNormal(rng)), dist.q);
    case 'beta':
      return sampleBeta(dist.a, dist.b, rng);
    case 'q_beta':
      return quantize(sampleBeta(dist.a, dist.b, rng), dist.q);
    default: {
      const unknown: never = dist;
      throw new InvalidSearchInputError(`unknown distribution ${JSON.stringify(unknown)}`);
    }
  }
}

/** A full point: every parameter drawn in config order from one stream, nested by its path. */
export function sampleParams(space: SearchSpace, rng: Rng): Params {
  const params: Params = {};
  for (const param of space.params) setPath(params, param.path, sampleDistribution(param.dist, rng));
  return params;
}
