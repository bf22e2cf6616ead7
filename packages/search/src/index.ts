export type { Axis } from './axis';
export { numericAxis, valuesAxis } from './axis';
export {
  BAYES_MAX_DIMS,
  BAYES_MAX_MODEL_POINTS,
  bayesStrategy,
  bayesUsesTpe,
  initialDesignSize,
} from './bayes/bayes-strategy';
export { canonicalKey, canonicalNumber, paramsHash } from './canonical-key';
export type { DiscreteSpace } from './discrete-space';
export { createDiscreteSpace } from './discrete-space';
export { ashaRungs } from './early-stopping/asha';
export { createEarlyStopper } from './early-stopping/create-early-stopper';
export { hyperbandBands } from './early-stopping/hyperband';
export type { EarlyStopper, StopDecision, TrialHistory } from './early-stopping/types';
export {
  GridUnsupportedDistributionError,
  InvalidSearchInputError,
  NumericalError,
  SearchError,
  UnknownMethodError,
} from './errors';
export { gridAxis } from './grid-axis';
export { gridSize, gridSpace, gridStrategy } from './grid-strategy';
export { sobolPoint } from './numeric/sobol';
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
export type { TpeOptions } from './tpe/tpe-strategy';
export { createTpeStrategy, DEFAULT_TPE_OPTIONS, tpeStrategy } from './tpe/tpe-strategy';
export type { Observation, Strategy, StrategyOptions, SuggestRequest, SuggestResult } from './types';
