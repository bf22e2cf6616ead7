import { z } from 'zod';
import { GOALS, type SearchMethod } from './domain';
import { MEMORY_QUANTITY } from './memory-quantity';
import { normalizeParameters, type ParametersConfig } from './parameter-spec';
import { PROJECT_NAME, PROJECT_NAME_RULE } from './sweep-project';
import { ENV_VAR_NAME } from './trial-env-spec';

/**
 * The sweep config schema: W&B's sweep YAML (every key W&B accepts is accepted unchanged) plus
 * hyperfleet's additions. `validateSweepConfig` runs this and then the checks that span several
 * keys (grid over continuous ranges, bayes without a metric, macros naming unknown parameters);
 * use that, not this schema alone, to validate user input.
 */

export const SEARCH_METHODS: readonly SearchMethod[] = ['grid', 'random', 'bayes', 'tpe'];
export const EARLY_TERMINATE_TYPES = ['hyperband', 'asha', 'median'] as const;

const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);

export const metricSchema = z.strictObject({
  name: z.string().min(1),
  goal: z.enum(GOALS).default('minimize'),
  /** Stop creating trials once a finished trial reaches this value (<= for minimize, >= for maximize). */
  target: z.number().optional(),
  // W&B keys for its Bayesian search, kept so W&B configs validate; hyperfleet's bayes/tpe read them.
  impute: z.enum(['latest', 'best', 'worst']).optional(),
  impute_while_running: z.union([z.enum(['latest', 'best', 'worst', 'false']), z.literal(false)]).optional(),
});

export const hyperbandSchema = z
  .strictObject({
    type: z.literal('hyperband'),
    /** First bracket; later brackets at min_iter·eta^k. */
    min_iter: positiveInt.optional(),
    /** With `s`: brackets at max_iter/eta, max_iter/eta², … (s of them). */
    max_iter: positiveInt.optional(),
    s: nonNegativeInt.optional(),
    eta: z.number().gt(1).default(3),
    // W&B's docs say the default is false (its JSON schema says true); we follow the docs users read.
    strict: z.boolean().default(false),
  })
  .check((ctx) => {
    const value = ctx.value;
    if (value.min_iter === undefined && (value.max_iter === undefined || value.s === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        path: value.max_iter === undefined ? ['min_iter'] : ['s'],
        message: 'hyperband needs `min_iter`, or `max_iter` with `s`',
        params: {
          summary: 'hyperband needs `min_iter`, or `max_iter` with `s`',
          expected: '`min_iter`, or `max_iter` together with `s`',
          found: value.max_iter === undefined ? 'neither' : '`max_iter` without `s`',
          hint: 'e.g. `min_iter: 3` (brackets at 3, 9, 27, …) or `max_iter: 27, s: 2` (brackets at 9 and 3)',
        },
      });
    }
  });

/** Asynchronous successive halving (hyperfleet addition; Ray Tune's parameter names). */
export const ashaSchema = z.strictObject({
  type: z.literal('asha'),
  /** Steps a trial always gets before it can be stopped. */
  grace_period: positiveInt.default(1),
  /** Keep the top 1/reduction_factor at each rung. */
  reduction_factor: z.number().gt(1).default(3),
  /** The last rung; unbounded when absent. */
  max_t: positiveInt.optional(),
});

/** Stop a trial whose best value so far is worse than the median of other trials at the same step. */
export const medianSchema = z.strictObject({
  type: z.literal('median'),
  /** Steps before a trial can be stopped. */
  warmup_steps: nonNegativeInt.default(0),
  /** Completed trials needed before the rule applies. */
  min_trials: positiveInt.default(5),
});

export const earlyTerminateSchema = z.discriminatedUnion('type', [hyperbandSchema, ashaSchema, medianSchema]);

export const resourcesSchema = z.strictObject({
  /** CPU cores per trial; fractions allowed (Kubernetes style). */
  cpus: z.number().gt(0).optional(),
  /** GPUs per trial. */
  gpus: nonNegativeInt.optional(),
  /** `512Mi`, `8Gi`, `2G`… or a number of bytes. */
  memory: z.union([z.string().regex(MEMORY_QUANTITY), nonNegativeInt]).optional(),
  /** Only run on workers of this pool. */
  pool: z.string().min(1).optional(),
});

/** Where a trial's metrics come from: the SDK's metrics file (HYPERFLEET_METRICS_FILE) and the trial's stdout. */
export const METRIC_SOURCES = ['sdk', 'stdout'] as const;
export type MetricSource = (typeof METRIC_SOURCES)[number];

export const metricsCollectionSchema = z.strictObject({
  /** Parse `name=value` pairs and JSON-object lines from the trial's stdout. */
  stdout: z.boolean().default(true),
  /**
   * Which sources count. Omitted: the SDK file is the source of truth — stdout is parsed only until the SDK
   * file has its first line (see README, "Metrics"). `[sdk, stdout]`: both, all the time; `[sdk]` or `[stdout]`:
   * only that one.
   */
  sources: z
    .array(z.enum(METRIC_SOURCES))
    .min(1)
    .refine((list) => new Set(list).size === list.length, { message: 'each source at most once' })
    .optional(),
  /**
   * A regex run on each stdout line: named groups `name` and `value`, or groups 1 and 2 as name and
   * value (Katib's metricsFormat convention).
   */
  regex: z
    .string()
    .min(1)
    .check((ctx) => {
      const problem = regexProblem(ctx.value);
      if (problem !== undefined) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: problem,
          params: {
            expected: 'a regular expression with groups for the metric name and value',
            found: problem,
            hint: 'e.g. `(?<name>\\w+)=(?<value>[-+0-9.eE]+)`',
          },
        });
      }
    })
    .optional(),
});

function regexProblem(source: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    return `an invalid regex (${(error as Error).message})`;
  }
  // Appending an always-matching branch makes exec('') succeed, which reveals the group count.
  const groups = new RegExp(`${regex.source}|`).exec('');
  const named = groups?.groups ?? {};
  if ('name' in named && 'value' in named) return undefined;
  const count = (groups?.length ?? 1) - 1;
  return count >= 2 ? undefined : `a regex with ${count} capture group${count === 1 ? '' : 's'}`;
}

/**
 * One `env:` entry: a literal (numbers and booleans become their text: `4` → "4") or `{secret: NAME}`, read on
 * the machine that runs the trial from its own environment. Names are checked in validateSweepConfig
 * (checkTrialEnv), where the errors can say which rule a name broke.
 */
export const trialEnvValueSchema = z.union([
  z.string(),
  z.number().transform(String),
  z.boolean().transform(String),
  z.strictObject({ secret: z.string().regex(ENV_VAR_NAME, 'an environment variable name') }),
]);

export const trialEnvSchema = z.record(z.string(), trialEnvValueSchema);

export const gridOptionsSchema = z.strictObject({
  /** Visit grid points in a seeded random order instead of the deterministic one. */
  shuffle: z.boolean().default(false),
});

export const randomOptionsSchema = z.strictObject({
  /** On fully discrete spaces, never suggest the same point twice (finishes when exhausted). */
  without_replacement: z.boolean().default(false),
});

/** The `parameters` block: validated and normalized by `normalizeParameters`, issues reported through zod. */
export const parametersSchema = z.unknown().transform((raw, ctx): ParametersConfig => {
  const result = normalizeParameters(raw, []);
  for (const found of result.issues) {
    ctx.issues.push({
      code: 'custom',
      input: raw,
      path: found.path,
      message: found.summary,
      params: { expected: found.expected, found: found.found, hint: found.hint },
    });
  }
  return result.parameters ?? {};
});

export const sweepConfigSchema = z.strictObject({
  // --- W&B keys -------------------------------------------------------------------------------
  method: z.enum(['grid', 'random', 'bayes', 'tpe']),
  metric: metricSchema.optional(),
  parameters: parametersSchema,
  early_terminate: earlyTerminateSchema.optional(),
  run_cap: positiveInt.optional(),
  program: z.string().min(1).optional(),
  command: z.array(z.string()).min(1).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  /** Who may see and control the sweep (tokens hold roles per project); `default` when absent. */
  project: z.string().regex(PROJECT_NAME, `a project name: ${PROJECT_NAME_RULE}`).optional(),
  entity: z.string().optional(),
  // W&B keys hyperfleet accepts so W&B files validate unchanged, and ignores (with a warning).
  controller: z.looseObject({ type: z.enum(['local', 'cloud']).optional() }).optional(),
  apiVersion: z.string().optional(),
  kind: z.literal('sweep').optional(),
  job: z.string().optional(),
  image_uri: z.string().optional(),
  scheduler: z.looseObject({}).optional(),
  // --- hyperfleet additions -------------------------------------------------------------------
  /** Trials in flight at once. */
  parallel: positiveInt.default(1),
  /** Seeds search and is passed to trials (HYPERFLEET_SEED); a seeded sweep is reproducible. */
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** Automatic re-runs after an infrastructure failure (dead agent, evicted pod) — never after a non-zero exit. */
  retries: nonNegativeInt.default(3),
  resources: resourcesSchema.optional(),
  /** Data paths pinned by content hash and materialized into every trial's workdir. */
  data: z.array(z.string().min(1)).optional(),
  /** Container image for Kubernetes execution. */
  image: z.string().min(1).optional(),
  /** How metrics are collected besides the SDK's JSONL file. */
  metrics: metricsCollectionSchema.prefault({}),
  /** Variables the trials get besides the inherited allowlist and the HYPERFLEET_* contract (README, "Trial environment"). */
  env: trialEnvSchema.optional(),
  /** Per-trial wall-clock limit in seconds. */
  timeout: z.number().gt(0).optional(),
  /** Overrides `${interpreter}`: a program (`python3.11`) or program plus arguments (`[node, --import, tsx]`). */
  interpreter: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  grid: gridOptionsSchema.prefault({}),
  random: randomOptionsSchema.prefault({}),
});

export type SweepConfig = z.output<typeof sweepConfigSchema>;
/** What a user may write (defaults not yet applied). */
export type SweepConfigInput = z.input<typeof sweepConfigSchema>;
export type MetricConfig = z.output<typeof metricSchema>;
export type EarlyTerminateConfig = z.output<typeof earlyTerminateSchema>;
export type ResourcesConfig = z.output<typeof resourcesSchema>;
export type MetricsCollectionConfig = z.output<typeof metricsCollectionSchema>;

/** Keys each strict object accepts, for "did you mean" on unknown keys. */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(sweepConfigSchema.shape),
  metric: Object.keys(metricSchema.shape),
  'early_terminate:hyperband': Object.keys(hyperbandSchema.shape),
  'early_terminate:asha': Object.keys(ashaSchema.shape),
  'early_terminate:median': Object.keys(medianSchema.shape),
  resources: Object.keys(resourcesSchema.shape),
  metrics: Object.keys(metricsCollectionSchema.shape),
  grid: Object.keys(gridOptionsSchema.shape),
  random: Object.keys(randomOptionsSchema.shape),
};
