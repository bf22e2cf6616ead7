import { describeValue, issue, type PathSegment, type RawIssue } from './config-issue';
import type { Distribution, DistributionName, ParamValue, SpaceParam } from './domain';
import { didYouMean } from './edit-distance';
import { hasFloatBounds } from './float-literals';

/** A parameter after validation: a leaf with an explicit `distribution` and every default filled, or a nest. */
export type ParameterConfig = Distribution | NestedParameterConfig;
export interface NestedParameterConfig {
  parameters: ParametersConfig;
}
export type ParametersConfig = { [name: string]: ParameterConfig };

export function isNestedParameter(param: ParameterConfig): param is NestedParameterConfig {
  return 'parameters' in param;
}

export const DISTRIBUTION_NAMES: readonly DistributionName[] = [
  'constant',
  'categorical',
  'int_uniform',
  'uniform',
  'q_uniform',
  'log_uniform',
  'log_uniform_values',
  'q_log_uniform',
  'q_log_uniform_values',
  'inv_log_uniform',
  'inv_log_uniform_values',
  'normal',
  'q_normal',
  'log_normal',
  'q_log_normal',
  'beta',
  'q_beta',
];

/** Distributions a grid can enumerate; everything else is continuous (or unbounded). */
export const DISCRETE_DISTRIBUTIONS: readonly DistributionName[] = [
  'constant',
  'categorical',
  'int_uniform',
  'q_uniform',
];

// W&B's schema names a categorical with probabilities `categorical_w_probabilities`; same thing here.
const DISTRIBUTION_ALIASES: Record<string, DistributionName> = { categorical_w_probabilities: 'categorical' };

/** Which keys each distribution takes (besides `distribution`). */
const DISTRIBUTION_KEYS: Record<DistributionName, readonly string[]> = {
  constant: ['value'],
  categorical: ['values', 'probabilities'],
  int_uniform: ['min', 'max'],
  uniform: ['min', 'max'],
  q_uniform: ['min', 'max', 'q'],
  log_uniform: ['min', 'max'],
  log_uniform_values: ['min', 'max'],
  q_log_uniform: ['min', 'max', 'q'],
  q_log_uniform_values: ['min', 'max', 'q'],
  inv_log_uniform: ['min', 'max'],
  inv_log_uniform_values: ['min', 'max'],
  normal: ['mu', 'sigma'],
  q_normal: ['mu', 'sigma', 'q'],
  log_normal: ['mu', 'sigma'],
  q_log_normal: ['mu', 'sigma', 'q'],
  beta: ['a', 'b'],
  q_beta: ['a', 'b', 'q'],
};

export const PARAMETER_KEYS: readonly string[] = [
  'distribution',
  'value',
  'values',
  'probabilities',
  'min',
  'max',
  'q',
  'mu',
  'sigma',
  'a',
  'b',
  'parameters',
];

// Names other tools use for the same thing (Optuna, Ray Tune, Katib, Hydra): a better hint than edit distance.
const KEY_SYNONYMS: Record<string, string> = {
  choices: 'values',
  options: 'values',
  categories: 'values',
  default: 'value',
  low: 'min',
  lower: 'min',
  minimum: 'min',
  high: 'max',
  upper: 'max',
  maximum: 'max',
  mean: 'mu',
  loc: 'mu',
  std: 'sigma',
  stddev: 'sigma',
  scale: 'sigma',
  step: 'q',
  dist: 'distribution',
  type: 'distribution',
  weights: 'probabilities',
  probs: 'probabilities',
  p: 'probabilities',
};

/** W&B's rule for parameter names (config/schema.json `propertyNames`). */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const PROBABILITY_TOLERANCE = 1e-6;
/** e^50 ≈ 5e21: no hyperparameter is sampled above that, so larger exponent bounds are values in disguise. */
const MAX_PLAUSIBLE_EXPONENT = 50;

export interface NormalizedParameters {
  /** undefined when the block itself is unusable (not a mapping); partial results otherwise. */
  parameters: ParametersConfig | undefined;
  /** The leaves that validated, flattened in config order. */
  leaves: SpaceParam[];
  issues: RawIssue[];
}

/**
 * Validates a `parameters` block and normalizes it: W&B's inference applied (`value` → constant,
 * `values` → categorical, integer min/max → int_uniform, float min/max → uniform, mu/sigma → normal,
 * a/b → beta; with `q` the quantized variant), defaults filled (q = 1, mu = 0, sigma = 1, a = b = 1).
 * Collects every problem instead of stopping at the first.
 */
export function normalizeParameters(raw: unknown, path: PathSegment[] = ['parameters']): NormalizedParameters {
  const issues: RawIssue[] = [];
  const leaves: SpaceParam[] = [];
  const parameters = normalizeBlock(raw, path, [], issues, leaves);
  // Dotted names must be unique: `a: {parameters: {b}}` and a flat `a.b` would collide in ${args}.
  const seen = new Map<string, SpaceParam>();
  for (const leaf of leaves) {
    const earlier = seen.get(leaf.name);
    if (earlier === undefined) {
      seen.set(leaf.name, leaf);
      continue;
    }
    issues.push(
      issue(
        [...path, ...interleaveParameters(leaf.path)],
        'a parameter name that is unique once nested names are joined with dots',
        `"${leaf.name}" is also the name of ${formatParamPath(earlier.path)}`,
        'rename one of them; nested parameters are passed as dotted names (--a.b=…)',
      ),
    );
  }
  return { parameters, leaves, issues };
}

/** ['a', 'b'] → ['a', 'parameters', 'b']: where a nested leaf sits in the config. */
function interleaveParameters(paramPath: readonly string[]): PathSegment[] {
  const out: PathSegment[] = [];
  paramPath.forEach((segment, i) => {
    if (i > 0) out.push('parameters');
    out.push(segment);
  });
  return out;
}

function formatParamPath(paramPath: readonly string[]): string {
  return paramPath.length === 1 ? 'a flat parameter' : `the nested parameter ${paramPath.join(' → ')}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeBlock(
  raw: unknown,
  path: PathSegment[],
  paramPath: string[],
  issues: RawIssue[],
  leaves: SpaceParam[],
): ParametersConfig | undefined {
  if (!isPlainObject(raw)) {
    issues.push(
      issue(
        path,
        'a mapping from parameter names to their specs',
        describeValue(raw),
        'e.g. `parameters: {lr: {min: 0.0001, max: 0.1}, batch_size: {values: [16, 32]}}`',
      ),
    );
    return undefined;
  }
  const names = Object.keys(raw);
  if (names.length === 0) {
    issues.push(issue(path, 'at least one parameter', describeValue(raw), 'add a parameter to search over'));
    return undefined;
  }
  const out: ParametersConfig = {};
  for (const name of names) {
    const specPath = [...path, name];
    if (!PARAM_NAME.test(name)) {
      issues.push(
        issue(
          specPath,
          'a name of letters, digits, `_`, `.` and `-` that does not start with a digit',
          JSON.stringify(name),
          'the name becomes a command-line flag (--name=value); W&B accepts the same names',
        ),
      );
      continue;
    }
    const normalized = normalizeSpec(raw[name], specPath, [...paramPath, name], issues, leaves);
    if (normalized !== undefined) out[name] = normalized;
  }
  return out;
}

function normalizeSpec(
  raw: unknown,
  path: PathSegment[],
  paramPath: string[],
  issues: RawIssue[],
  leaves: SpaceParam[],
): ParameterConfig | undefined {
  if (!isPlainObject(raw)) {
    const name = String(path[path.length - 1]);
    const hint = Array.isArray(raw)
      ? `write \`${name}: {values: ${JSON.stringify(raw)}}\` for a choice between these values`
      : `write \`${name}: {value: ${JSON.stringify(raw) ?? '…'}}\` for a constant`;
    issues.push(
      issue(path, 'a parameter spec such as {values: [...]}, {min: …, max: …} or {value: …}', describeValue(raw), hint),
    );
    return undefined;
  }

  // Unknown keys first: a typo (`vales`) would otherwise surface as a confusing inference error.
  const known: Record<string, unknown> = {};
  let hadUnknown = false;
  for (const [key, value] of Object.entries(raw)) {
    if (PARAMETER_KEYS.includes(key)) {
      known[key] = value;
      continue;
    }
    hadUnknown = true;
    const synonym = KEY_SYNONYMS[key.toLowerCase()];
    const hint =
      synonym !== undefined ? `did you mean \`${synonym}\`?` : (didYouMean(key, PARAMETER_KEYS) ?? listKeysHint());
    issues.push(
      issue([...path, key], `one of the parameter keys ${PARAMETER_KEYS.join(', ')}`, `unknown key "${key}"`, hint),
    );
  }

  if ('parameters' in known) {
    const others = Object.keys(known).filter((key) => key !== 'parameters');
    if (others.length > 0) {
      issues.push(
        issue(
          [...path, others[0]!],
          'only `parameters` in a nested parameter',
          `${others.map((key) => `\`${key}\``).join(', ')} beside \`parameters\``,
          'a parameter either nests other parameters or has a distribution, not both',
        ),
      );
    }
    const nested = normalizeBlock(known.parameters, [...path, 'parameters'], paramPath, issues, leaves);
    return nested === undefined ? undefined : { parameters: nested };
  }

  // When inference finds nothing but a key was misspelt, the misspelling is the real problem.
  const distribution = resolveDistribution(raw, known, path, issues, hadUnknown);
  if (distribution === undefined) return undefined;

  const allowed = DISTRIBUTION_KEYS[distribution];
  let misplaced = false;
  for (const key of Object.keys(known)) {
    if (key === 'distribution' || allowed.includes(key)) continue;
    misplaced = true;
    issues.push(
      issue(
        [...path, key],
        `only ${allowed.map((k) => `\`${k}\``).join(', ')} with ${distribution}`,
        `\`${key}\``,
        misplacedKeyHint(key, distribution),
        `\`${key}\` does not apply to ${distribution} (it takes ${allowed.join(', ')})`,
      ),
    );
  }

  const before = issues.length;
  const dist = buildDistribution(distribution, known, path, issues);
  if (dist === undefined || misplaced || issues.length > before) return undefined;
  leaves.push({ name: paramPath.join('.'), path: paramPath, dist });
  return dist;
}

function listKeysHint(): string {
  return `a parameter takes ${PARAMETER_KEYS.join(', ')}`;
}

function misplacedKeyHint(key: string, distribution: DistributionName): string {
  if (key === 'q') return `q only applies to quantized distributions: use q_${distribution.replace(/^q_/, '')}`;
  if (key === 'probabilities') return 'probabilities go with `values` (a categorical parameter)';
  const owners = DISTRIBUTION_NAMES.filter((name) => DISTRIBUTION_KEYS[name].includes(key));
  return `\`${key}\` belongs to ${owners.slice(0, 4).join(', ')}${owners.length > 4 ? ', …' : ''}; remove it or change \`distribution\``;
}

function resolveDistribution(
  raw: Record<string, unknown>,
  known: Record<string, unknown>,
  path: PathSegment[],
  issues: RawIssue[],
  quietWhenUninferable: boolean,
): DistributionName | undefined {
  if ('distribution' in known) {
    const value = known.distribution;
    if (typeof value === 'string') {
      const alias = DISTRIBUTION_ALIASES[value];
      if (alias !== undefined) return alias;
      if ((DISTRIBUTION_NAMES as readonly string[]).includes(value)) return value as DistributionName;
    }
    const suggestion = typeof value === 'string' ? didYouMean(value, DISTRIBUTION_NAMES) : undefined;
    issues.push(
      issue(
        [...path, 'distribution'],
        `one of ${DISTRIBUTION_NAMES.join(', ')}`,
        describeValue(value),
        suggestion ?? 'or leave `distribution` out and let it be inferred from value/values/min+max/mu+sigma/a+b',
      ),
    );
    return undefined;
  }

  // W&B's inference, in W&B's order of precedence.
  const has = (key: string) => key in known;
  if (has('value') && has('values')) {
    issues.push(
      issue(
        path,
        'either `value` (a constant) or `values` (a choice)',
        'both `value` and `values`',
        'keep one of them',
      ),
    );
    return undefined;
  }
  if (has('value')) return 'constant';
  if (has('values')) return 'categorical';
  if (has('min') || has('max')) {
    const min = known.min;
    const max = known.max;
    const integers = Number.isInteger(min) && Number.isInteger(max) && !hasFloatBounds(raw);
    if (has('q')) return 'q_uniform';
    return integers ? 'int_uniform' : 'uniform';
  }
  if (has('mu') || has('sigma')) return has('q') ? 'q_normal' : 'normal';
  if (has('a') || has('b')) return has('q') ? 'q_beta' : 'beta';
  if (quietWhenUninferable) return undefined;
  issues.push(
    issue(
      path,
      'one of `value`, `values`, `min`+`max`, `mu`+`sigma`, `a`+`b`, `parameters`, or a `distribution`',
      describeValue(raw),
      'e.g. `{values: [16, 32, 64]}` or `{distribution: log_uniform_values, min: 0.0001, max: 0.1}`',
      'cannot tell which distribution this parameter has',
    ),
  );
  return undefined;
}

function buildDistribution(
  distribution: DistributionName,
  known: Record<string, unknown>,
  path: PathSegment[],
  issues: RawIssue[],
): Distribution | undefined {
  switch (distribution) {
    case 'constant': {
      const value = paramValue(known.value, [...path, 'value'], issues);
      return value === undefined ? undefined : { distribution, value };
    }
    case 'categorical':
      return categorical(known, path, issues);
    case 'int_uniform': {
      const bounds = minMax(distribution, known, path, issues);
      if (bounds === undefined) return undefined;
      for (const key of ['min', 'max'] as const) {
        if (!Number.isInteger(bounds[key])) {
          issues.push(
            issue(
              [...path, key],
              'an integer',
              describeValue(bounds[key]),
              'int_uniform samples integers; use `distribution: uniform` for real numbers',
            ),
          );
          return undefined;
        }
      }
      return { distribution, ...bounds };
    }
    case 'uniform':
    case 'log_uniform':
    case 'log_uniform_values':
    case 'inv_log_uniform':
    case 'inv_log_uniform_values': {
      const bounds = minMax(distribution, known, path, issues);
      return bounds === undefined ? undefined : { distribution, ...bounds };
    }
    case 'q_uniform':
    case 'q_log_uniform':
    case 'q_log_uniform_values': {
      const bounds = minMax(distribution, known, path, issues);
      const q = quantum(known, path, issues);
      return bounds === undefined || q === undefined ? undefined : { distribution, ...bounds, q };
    }
    case 'normal':
    case 'log_normal': {
      const params = muSigma(known, path, issues);
      return params === undefined ? undefined : { distribution, ...params };
    }
    case 'q_normal':
    case 'q_log_normal': {
      const params = muSigma(known, path, issues);
      const q = quantum(known, path, issues);
      return params === undefined || q === undefined ? undefined : { distribution, ...params, q };
    }
    case 'beta': {
      const params = betaShape(known, path, issues);
      return params === undefined ? undefined : { distribution, ...params };
    }
    case 'q_beta': {
      const params = betaShape(known, path, issues);
      const q = quantum(known, path, issues);
      return params === undefined || q === undefined ? undefined : { distribution, ...params, q };
    }
  }
}

function categorical(
  known: Record<string, unknown>,
  path: PathSegment[],
  issues: RawIssue[],
): Distribution | undefined {
  const raw = known.values;
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.push(
      issue(
        [...path, 'values'],
        'a non-empty list of values',
        describeValue(raw),
        raw === undefined
          ? 'a categorical parameter needs `values: [...]`'
          : Array.isArray(raw)
            ? 'list at least one value (use `value: X` for a constant)'
            : `write \`values: [${JSON.stringify(raw) ?? '…'}]\``,
        Array.isArray(raw) ? 'a categorical parameter needs at least one value' : undefined,
      ),
    );
    return undefined;
  }
  const values: ParamValue[] = [];
  let ok = true;
  raw.forEach((item, i) => {
    const value = paramValue(item, [...path, 'values', i], issues);
    if (value === undefined) ok = false;
    else values.push(value);
  });
  if (!('probabilities' in known)) return ok ? { distribution: 'categorical', values } : undefined;

  const probabilities = known.probabilities;
  const probPath = [...path, 'probabilities'];
  if (!Array.isArray(probabilities)) {
    issues.push(issue(probPath, 'a list of numbers, one per value', describeValue(probabilities)));
    return undefined;
  }
  const numbers: number[] = [];
  probabilities.forEach((p, i) => {
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0) {
      issues.push(issue([...probPath, i], 'a number >= 0', describeValue(p)));
      ok = false;
    } else numbers.push(p);
  });
  if (probabilities.length !== raw.length) {
    issues.push(
      issue(
        probPath,
        `${raw.length} probabilities (one per value)`,
        `${probabilities.length}`,
        'give exactly one probability for each entry of `values`, in the same order',
        `${probabilities.length} probabilities for ${raw.length} values`,
      ),
    );
    return undefined;
  }
  if (!ok) return undefined;
  const sum = numbers.reduce((total, p) => total + p, 0);
  if (Math.abs(sum - 1) > PROBABILITY_TOLERANCE) {
    issues.push(
      issue(
        probPath,
        'probabilities that sum to 1',
        `a sum of ${Number(sum.toPrecision(12))}`,
        `divide each by ${Number(sum.toPrecision(12))}, or fix the one that is off`,
        `probabilities sum to ${Number(sum.toPrecision(12))}, not 1`,
      ),
    );
    return undefined;
  }
  return { distribution: 'categorical', values, probabilities: numbers };
}

/** A value a parameter can take: JSON data, finite numbers only (NaN cannot be passed on a command line). */
function paramValue(raw: unknown, path: PathSegment[], issues: RawIssue[]): ParamValue | undefined {
  if (raw === undefined) {
    issues.push(issue(path, 'a value', 'nothing'));
    return undefined;
  }
  const bad = findNonJson(raw, path);
  if (bad !== undefined) {
    issues.push(issue(bad.path, 'a string, finite number, boolean, null, list or mapping', describeValue(bad.value)));
    return undefined;
  }
  return raw as ParamValue;
}

function findNonJson(value: unknown, path: PathSegment[]): { path: PathSegment[]; value: unknown } | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, value };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findNonJson(value[i], [...path, i]);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  if (isPlainObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const bad = findNonJson(item, [...path, key]);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  return { path, value };
}

function finiteNumber(
  raw: unknown,
  path: PathSegment[],
  issues: RawIssue[],
  expected = 'a number',
): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  const hint =
    typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))
      ? `write it without quotes: ${raw.trim()}`
      : undefined;
  issues.push(issue(path, expected, raw === undefined ? 'nothing' : describeValue(raw), hint));
  return undefined;
}

const VALUES_FORM: Partial<Record<DistributionName, DistributionName>> = {
  log_uniform: 'log_uniform_values',
  q_log_uniform: 'q_log_uniform_values',
  inv_log_uniform: 'inv_log_uniform_values',
};
const EXPONENT_FORM: Partial<Record<DistributionName, DistributionName>> = {
  log_uniform_values: 'log_uniform',
  q_log_uniform_values: 'q_log_uniform',
  inv_log_uniform_values: 'inv_log_uniform',
};

function minMax(
  distribution: DistributionName,
  known: Record<string, unknown>,
  path: PathSegment[],
  issues: RawIssue[],
): { min: number; max: number } | undefined {
  const min = finiteNumber(known.min, [...path, 'min'], issues);
  const max = finiteNumber(known.max, [...path, 'max'], issues);
  if (min === undefined || max === undefined) return undefined;
  if (min > max) {
    issues.push(
      issue(
        [...path, 'min'],
        `min <= max (${max})`,
        `min ${min}`,
        'swap min and max',
        `min (${min}) is greater than max (${max})`,
      ),
    );
    return undefined;
  }

  const exponentForm = EXPONENT_FORM[distribution];
  if (exponentForm !== undefined && min <= 0) {
    issues.push(
      issue(
        [...path, 'min'],
        'a number > 0 (these bounds are the values themselves, and log(0) is undefined)',
        describeValue(min),
        min < 0
          ? `to give exponents of e, use ${exponentForm} (e.g. min: -9.21, max: -4.61 for 1e-4..1e-2)`
          : 'use a small positive lower bound such as 1e-8',
      ),
    );
    return undefined;
  }

  const valuesForm = VALUES_FORM[distribution];
  if (valuesForm !== undefined) {
    const exponentIssue = checkExponentBounds(distribution, valuesForm, min, max, path);
    if (exponentIssue !== undefined) {
      issues.push(exponentIssue);
      return undefined;
    }
  }
  return { min, max };
}

/**
 * log_uniform's bounds are exponents of e (W&B semantics): min: -9.21, max: -4.61 samples 1e-4..1e-2.
 * Bounds that only make sense as the values themselves (tiny positive ones, or huge ones) are almost
 * always the `_values` form written by mistake, so they are rejected with that hint.
 */
function checkExponentBounds(
  distribution: DistributionName,
  valuesForm: DistributionName,
  min: number,
  max: number,
  path: PathSegment[],
): RawIssue | undefined {
  const example = `${distribution} with min: -9.21, max: -4.61 samples between 1e-4 and 1e-2`;
  const hint = `bounds are exponents of e; did you mean ${valuesForm}? (${example})`;
  if (max > MAX_PLAUSIBLE_EXPONENT) {
    return issue(
      [...path, 'max'],
      `an exponent of e (${distribution} samples between e^min and e^max)`,
      `${max} (e^${max} ≈ ${Math.exp(max).toPrecision(2)})`,
      hint,
      `max ${max} means e^${max} ≈ ${Math.exp(max).toPrecision(2)}`,
    );
  }
  if (min > 0 && (min < 0.01 || max <= 1)) {
    const low = Math.exp(min).toPrecision(5);
    const high = Math.exp(max).toPrecision(5);
    return issue(
      [...path, 'min'],
      `an exponent of e (${distribution} samples between e^min and e^max)`,
      `${min} (so values between ${low} and ${high})`,
      hint,
      `min ${min}, max ${max} look like values, but ${distribution} samples between e^${min} ≈ ${low} and e^${max} ≈ ${high}`,
    );
  }
  return undefined;
}

function quantum(known: Record<string, unknown>, path: PathSegment[], issues: RawIssue[]): number | undefined {
  if (!('q' in known)) return 1; // W&B's default
  const q = finiteNumber(known.q, [...path, 'q'], issues, 'a number > 0');
  if (q === undefined) return undefined;
  if (q <= 0) {
    issues.push(issue([...path, 'q'], 'a number > 0 (the quantization step)', describeValue(q)));
    return undefined;
  }
  return q;
}

function muSigma(
  known: Record<string, unknown>,
  path: PathSegment[],
  issues: RawIssue[],
): { mu: number; sigma: number } | undefined {
  const mu = 'mu' in known ? finiteNumber(known.mu, [...path, 'mu'], issues) : 0;
  const sigma = 'sigma' in known ? finiteNumber(known.sigma, [...path, 'sigma'], issues, 'a number > 0') : 1;
  if (mu === undefined || sigma === undefined) return undefined;
  if (sigma <= 0) {
    issues.push(
      issue(
        [...path, 'sigma'],
        'a number > 0 (the standard deviation)',
        describeValue(sigma),
        sigma === 0 ? 'for a fixed value use `value: X`' : 'a standard deviation cannot be negative',
      ),
    );
    return undefined;
  }
  return { mu, sigma };
}

function betaShape(
  known: Record<string, unknown>,
  path: PathSegment[],
  issues: RawIssue[],
): { a: number; b: number } | undefined {
  const a = 'a' in known ? finiteNumber(known.a, [...path, 'a'], issues, 'a number > 0') : 1;
  const b = 'b' in known ? finiteNumber(known.b, [...path, 'b'], issues, 'a number > 0') : 1;
  if (a === undefined || b === undefined) return undefined;
  let ok = true;
  for (const [key, value] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (value <= 0) {
      issues.push(issue([...path, key], 'a number > 0 (a beta shape parameter)', describeValue(value)));
      ok = false;
    }
  }
  return ok ? { a, b } : undefined;
}
