export type { Axis } from './axis';
export { numericAxis, valuesAxis } from './axis';
export { canonicalKey, canonicalNumber, paramsHash } from './canonical-key';
export type { DiscreteSpace } from './discrete-space';
export { createDiscreteSpace } from './discrete-space';
export {
  GridUnsupportedDistributionError,
  InvalidSearchInputError,
  MethodUnavailableError,
  SearchError,
  UnknownMethodError,
} from './errors';
export { gridAxis } from './grid-axis';
export { gridSize, gridSpace, gridStrategy } from './grid-strategy';
export { getPath, setPath } from './param-path';
export { pointKey, projectParams } from './point-key';
export { cleanFloat, quantize } from './quantize';
export { MAX_DRAWS, randomStrategy } from './random-strategy';
export { isDiscreteSpace, randomSupportAxis } from './random-support';
export { sampleBeta, sampleGamma, sampleLogGamma, standardNormal } from './random-variates';
export type { Rng } from './rng';
export { trialRng } from './rng';
export { sampleDistribution, sampleParams } from './sample-distribution';
export type { IndexPermutation } from './seeded-permutation';
export { seededPermutation } from './seeded-permutation';
export type { AvailableMethod } from './strategy-registry';
export { createStrategy, strategies } from './strategy-registry';
export type { Observation, Strategy, StrategyOptions, SuggestRequest, SuggestResult } from './types';
