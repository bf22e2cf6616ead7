import { HyperfleetError } from '@hyperfleet/domain';

/** Typed errors of the search package: stable `name` and `code`, messages that say what to do. */
export class SearchError extends HyperfleetError {
  override name = 'SearchError';
}

/** Grid search was given a parameter it cannot enumerate (a continuous or unbounded distribution). */
export class GridUnsupportedDistributionError extends SearchError {
  readonly param: string;
  readonly distribution: string;

  constructor(param: string, distribution: string) {
    super(
      'GRID_UNSUPPORTED_DISTRIBUTION',
      `grid search cannot enumerate parameter "${param}" (distribution ${distribution}); ` +
        'grid supports constant, categorical, int_uniform and q_uniform — list the values to try, or use method: random',
    );
    this.name = 'GridUnsupportedDistributionError';
    this.param = param;
    this.distribution = distribution;
  }
}

/** A method name nobody knows (typo, or a config from a newer version). */
export class UnknownMethodError extends SearchError {
  readonly method: string;

  constructor(method: string) {
    super('UNKNOWN_METHOD', `unknown search method "${method}"; use random, grid, bayes or tpe`);
    this.name = 'UnknownMethodError';
    this.method = method;
  }
}

/** The suggest request or a distribution is malformed (spec validation should have caught it). */
export class InvalidSearchInputError extends SearchError {
  constructor(message: string) {
    super('INVALID_SEARCH_INPUT', message);
    this.name = 'InvalidSearchInputError';
  }
}

/** A matrix that should be positive definite is not, even after jitter (degenerate or non-finite data). */
export class NumericalError extends SearchError {
  constructor(message: string) {
    super('NUMERICAL_FAILURE', message);
    this.name = 'NumericalError';
  }
}
