import type { z } from 'zod';
import { COMMAND_MACROS, DEFAULT_COMMAND, LIST_MACROS, parseCommandElement } from './command-macros';
import { type ConfigIssue, describeValue, issue, type PathSegment, type RawIssue, renderIssue } from './config-issue';
import type { SpaceParam } from './domain';
import { didYouMean } from './edit-distance';
import { DISCRETE_DISTRIBUTIONS, normalizeParameters } from './parameter-spec';
import { EARLY_TERMINATE_TYPES, KNOWN_KEYS, type SweepConfig, sweepConfigSchema } from './sweep-config';
import { ENV_VAR_NAME, looksLikeSecretName, reservedEnvReason } from './trial-env-spec';

export type ValidationResult =
  | { ok: true; config: SweepConfig; warnings: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[]; warnings: ConfigIssue[] };

/** Issues with unrendered paths, so the YAML loader can attach line numbers. */
export interface RawValidationResult {
  config: SweepConfig | undefined;
  issues: RawIssue[];
  warnings: RawIssue[];
}

/**
 * Validates a parsed sweep config (W&B's format plus hyperfleet's keys) and returns it normalized
 * (defaults applied, every parameter with an explicit distribution), or every problem found: each
 * with its path, what was expected, what was found and, where we can tell, a hint. Warnings are
 * things that are allowed but probably not what the user meant; they never make `ok` false.
 *
 * From plain objects, `min: 1.0` cannot be told from `min: 1` (W&B infers uniform vs int_uniform
 * from that): give `distribution` explicitly, or use parseSweepConfig, which keeps the difference.
 */
export function validateSweepConfig(raw: unknown): ValidationResult {
  const result = validateSweepConfigRaw(raw);
  const warnings = result.warnings.map((w) => renderIssue(w));
  if (result.config !== undefined && result.issues.length === 0) return { ok: true, config: result.config, warnings };
  return { ok: false, issues: result.issues.map((i) => renderIssue(i)), warnings };
}

export function validateSweepConfigRaw(raw: unknown): RawValidationResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      config: undefined,
      issues: [
        issue(
          [],
          'a mapping with at least `method` and `parameters`',
          describeValue(raw),
          'a sweep config looks like `method: random`, `parameters: {lr: {min: 0.0001, max: 0.1}}`, `program: train.py`',
        ),
      ],
      warnings: [],
    };
  }
  const input = raw as Record<string, unknown>;
  const parsed = sweepConfigSchema.safeParse(input, { reportInput: true });
  const issues: RawIssue[] = parsed.success ? [] : parsed.error.issues.flatMap((zi) => fromZodIssue(zi, input));
  const warnings: RawIssue[] = [];
  // Re-normalized here (cheap) because zod hands out nothing on failure, and cross-checks need the leaves.
  const { leaves } = normalizeParameters(input.parameters, ['parameters']);
  crossCheck(input, leaves, issues, warnings);
  return { config: parsed.success && issues.length === 0 ? parsed.data : undefined, issues, warnings };
}

// ------------------------------------------------------------------------------------------------
// zod issue → RawIssue

type ZodIssue = z.core.$ZodIssue;

// Names other tools use for top-level keys (Optuna, Ray Tune, Katib, W&B's own docs typo `parameter`).
const TOP_LEVEL_SYNONYMS: Record<string, string> = {
  parameter: 'parameters',
  params: 'parameters',
  hyperparameters: 'parameters',
  search_space: 'parameters',
  max_runs: 'run_cap',
  max_trials: 'run_cap',
  n_trials: 'run_cap',
  num_trials: 'run_cap',
  count: 'run_cap',
  concurrency: 'parallel',
  parallelism: 'parallel',
  workers: 'parallel',
  max_concurrent: 'parallel',
  early_stopping: 'early_terminate',
  pruner: 'early_terminate',
  algorithm: 'method',
  strategy: 'method',
  sampler: 'method',
  objective: 'metric',
  cmd: 'command',
  script: 'program',
  entrypoint: 'program',
  entry_point: 'program',
  max_retries: 'retries',
  random_seed: 'seed',
  docker_image: 'image',
  container: 'image',
  datasets: 'data',
};

const REQUIRED_HINTS: Record<string, string> = {
  method: 'add `method:` — one of grid, random, bayes, tpe',
  'metric.name': 'name the metric your program logs, e.g. `name: val_loss`',
  'early_terminate.type': 'add `type:` — one of hyperband, asha, median',
};

function fromZodIssue(zi: ZodIssue, root: Record<string, unknown>): RawIssue[] {
  const path = zi.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  const key = path.map(String).join('.');
  const input = zi.input;

  switch (zi.code) {
    case 'unrecognized_keys':
      return zi.keys.map((unknownKey) => unknownKeyIssue(path, unknownKey, root));
    case 'invalid_value': {
      const options = zi.values.map((v) => JSON.stringify(v)).join(', ');
      const expected = zi.values.length === 1 ? options : `one of ${options}`;
      if (input === undefined) return [missing(path, key, expected)];
      return [issue(path, expected, describeValue(input), valueHint(key, input, zi.values))];
    }
    case 'invalid_union': {
      if (zi.discriminator !== undefined) {
        // zod 4 lists the options at runtime (`options`) but not in its issue type.
        const options = ((zi as { options?: unknown[] }).options ?? EARLY_TERMINATE_TYPES) as readonly unknown[];
        const expected = `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`;
        const found = (input as Record<string, unknown> | undefined)?.[zi.discriminator];
        const fieldPath = path[path.length - 1] === zi.discriminator ? path : [...path, zi.discriminator];
        if (found === undefined) return [missing(fieldPath, fieldPath.join('.'), expected)];
        return [
          issue(
            fieldPath,
            expected,
            describeValue(found),
            typeof found === 'string' ? didYouMean(found, options.map(String)) : undefined,
          ),
        ];
      }
      return [issue(path, 'one of the accepted forms', describeValue(input), unionHint(key))];
    }
    case 'invalid_type': {
      const expected = describeZodType(zi.expected);
      if (input === undefined) return [missing(path, key, expected)];
      return [issue(path, expected, describeValue(input), typeHint(key, input))];
    }
    case 'too_small':
    case 'too_big': {
      const bound = zi.code === 'too_small' ? zi.minimum : zi.maximum;
      const op = zi.code === 'too_small' ? (zi.inclusive ? '>=' : '>') : zi.inclusive ? '<=' : '<';
      let expected: string;
      if (zi.origin === 'array') expected = zi.code === 'too_small' ? 'a non-empty list' : `at most ${bound} items`;
      else if (zi.origin === 'string') expected = 'a non-empty string';
      else expected = `a number ${op} ${String(bound)}`;
      return [issue(path, expected, describeValue(input), boundHint(key))];
    }
    case 'invalid_format': {
      if (path[path.length - 1] === 'memory') {
        return [
          issue(
            path,
            'a memory quantity such as 512Mi, 8Gi or 2G',
            describeValue(input),
            'Kubernetes units: Ki, Mi, Gi, Ti (powers of 2) or k, M, G, T (powers of 10); `8GB` is written `8G`',
          ),
        ];
      }
      if (path[0] === 'env' && path[path.length - 1] === 'secret') {
        return [issue(path, 'an environment variable name', describeValue(input), 'e.g. `{secret: HF_TOKEN}`')];
      }
      return [issue(path, `a ${zi.format}`, describeValue(input))];
    }
    case 'custom': {
      const params = (zi.params ?? {}) as { expected?: string; found?: string; hint?: string; summary?: string };
      return [
        issue(
          path,
          params.expected ?? 'a valid value',
          params.found ?? describeValue(input),
          params.hint,
          params.summary ?? zi.message,
        ),
      ];
    }
    default:
      return [issue(path, 'a valid value', describeValue(input), undefined, zi.message)];
  }
}

function missing(path: PathSegment[], key: string, expected: string): RawIssue {
  const name = path[path.length - 1];
  return issue(path, expected, 'nothing', REQUIRED_HINTS[key], `\`${String(name)}\` is required (${expected})`);
}

function unknownKeyIssue(path: PathSegment[], unknownKey: string, root: Record<string, unknown>): RawIssue {
  const known = knownKeysAt(path, root);
  const synonym = path.length === 0 ? TOP_LEVEL_SYNONYMS[unknownKey.toLowerCase()] : undefined;
  const hint =
    synonym !== undefined
      ? `did you mean \`${synonym}\`?`
      : (didYouMean(unknownKey, known) ?? (known.length > 0 ? `known keys: ${known.join(', ')}` : undefined));
  const where = path.length === 0 ? 'top-level key' : 'key';
  return issue(
    [...path, unknownKey],
    `a known ${where}`,
    `unknown key "${unknownKey}"`,
    hint,
    `unknown ${where} "${unknownKey}"`,
  );
}

function knownKeysAt(path: PathSegment[], root: Record<string, unknown>): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS['']!;
  if (path.length === 1 && path[0] === 'early_terminate') {
    const type = (root.early_terminate as Record<string, unknown> | undefined)?.type;
    return KNOWN_KEYS[`early_terminate:${String(type)}`] ?? [];
  }
  if (path.length === 2 && path[0] === 'env') return ['secret'];
  return path.length === 1 ? (KNOWN_KEYS[String(path[0])] ?? []) : [];
}

function describeZodType(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
      return 'a list';
    default:
      return expected;
  }
}

function valueHint(key: string, input: unknown, values: readonly unknown[]): string | undefined {
  if (key === 'method' && input === 'custom') {
    return "W&B's `custom` method (Optuna/Ax schedulers) is not supported; hyperfleet has `tpe` and `bayes` built in";
  }
  if (typeof input === 'string') {
    const suggestion = didYouMean(input, values.map(String));
    if (suggestion !== undefined) return suggestion;
  }
  if (key === 'metric.goal') return 'goal is `minimize` (the default) or `maximize`';
  return undefined;
}

function typeHint(key: string, input: unknown): string | undefined {
  if (key === 'metrics' && Array.isArray(input)) {
    return "hyperfleet's `metrics` configures metric collection ({stdout, regex}); W&B's multi-objective `metrics` list (method: custom) is not supported — optimize one `metric`";
  }
  if (key === 'command' && typeof input === 'string') {
    return `write the command as a list of arguments, e.g. \`command: [\${interpreter}, \${program}, \${args}]\` — it is never run through a shell`;
  }
  if (key === 'data' && typeof input === 'string') return `write a list: \`data: [${input}]\``;
  if (key === 'env')
    return 'a mapping of variable names to values, e.g. `env: {WANDB_MODE: offline, HF_TOKEN: {secret: HF_TOKEN}}`';
  if (key === 'metric' && typeof input === 'string') return `write \`metric: {name: ${input}, goal: minimize}\``;
  if (typeof input === 'string' && input.trim() !== '' && Number.isFinite(Number(input))) {
    return `write the number without quotes: ${input.trim()}`;
  }
  return undefined;
}

function boundHint(key: string): string | undefined {
  if (key === 'parallel') return 'parallel is how many trials run at once: 1 or more';
  if (key === 'run_cap') return 'run_cap is the maximum number of trials; leave it out for no limit';
  if (key === 'early_terminate.eta' || key === 'early_terminate.reduction_factor') {
    return 'each rung keeps the best 1/eta of the trials, so it must be greater than 1 (3 is usual)';
  }
  return undefined;
}

const ENV_VALUE_HINT =
  'a literal (a string or number, stored with the sweep) or `{secret: NAME}` (read from the environment of the machine that runs the trial)';

function unionHint(key: string): string | undefined {
  if (key.startsWith('env.')) return ENV_VALUE_HINT;
  if (key === 'interpreter') return 'a program name (`python3.11`) or a list (`[node, --import, tsx]`)';
  if (key === 'resources.memory') return 'a quantity such as 8Gi, or a number of bytes';
  if (key === 'metric.impute_while_running') return 'one of latest, best, worst, false';
  return undefined;
}

// ------------------------------------------------------------------------------------------------
// checks that span several keys

const IGNORED_WANDB_KEYS = ['controller', 'job', 'image_uri', 'scheduler'];

function crossCheck(input: Record<string, unknown>, leaves: SpaceParam[], issues: RawIssue[], warnings: RawIssue[]) {
  const method = input.method;
  const metric = input.metric;
  checkMetricSources(input.metrics, issues);
  checkTrialEnv(input.env, issues, warnings);

  const learns = method === 'bayes' || method === 'tpe';
  if (learns && metric === undefined) {
    issues.push(
      issue(
        ['metric'],
        'a metric to optimize, e.g. {name: val_loss, goal: minimize}',
        'nothing',
        `${method} search learns from each trial's metric: add \`metric: {name: <what your program logs>, goal: minimize|maximize}\``,
        `${method} search needs a \`metric\``,
      ),
    );
  }
  // One missing-metric issue is enough when both apply.
  if (input.early_terminate !== undefined && metric === undefined && !learns) {
    issues.push(
      issue(
        ['metric'],
        'a metric to compare trials by',
        'nothing',
        'early termination stops trials whose metric lags; add `metric: {name: …, goal: …}`',
        '`early_terminate` needs a `metric`',
      ),
    );
  }

  if (method === 'grid') {
    for (const leaf of leaves) {
      if (DISCRETE_DISTRIBUTIONS.includes(leaf.dist.distribution)) {
        if (leaf.dist.distribution === 'categorical' && leaf.dist.probabilities !== undefined) {
          warnings.push(
            issue(
              [...leafPath(leaf), 'probabilities'],
              'no probabilities with grid search',
              'probabilities',
              'grid search visits every value exactly once; probabilities only affect random search',
              'probabilities are ignored by grid search',
            ),
          );
        }
        continue;
      }
      issues.push(
        issue(
          leafPath(leaf),
          'a discrete parameter (constant, categorical, int_uniform or q_uniform)',
          `a ${leaf.dist.distribution} distribution`,
          'grid needs discrete values: give `values`, or use int_uniform/q_uniform — or use method: random or bayes',
          `grid search cannot enumerate parameter "${leaf.name}" (${leaf.dist.distribution} is continuous)`,
        ),
      );
    }
  }

  checkCommand(input, leaves, issues, warnings);

  for (const key of IGNORED_WANDB_KEYS) {
    if (key in input) {
      warnings.push(
        issue(
          [key],
          'a key hyperfleet uses',
          describeValue(input[key]),
          'accepted so W&B configs validate unchanged; it has no effect here',
          `\`${key}\` is a W&B setting that hyperfleet ignores`,
        ),
      );
    }
  }
}

/** Where a leaf sits in the config: ['parameters', 'optimizer', 'parameters', 'lr']. */
function leafPath(leaf: SpaceParam): PathSegment[] {
  const out: PathSegment[] = ['parameters'];
  leaf.path.forEach((segment, i) => {
    if (i > 0) out.push('parameters');
    out.push(segment);
  });
  return out;
}

function checkCommand(input: Record<string, unknown>, leaves: SpaceParam[], issues: RawIssue[], warnings: RawIssue[]) {
  const command = input.command;
  const hasProgram = typeof input.program === 'string' && input.program !== '';
  if (command === undefined) {
    if (!hasProgram && !('program' in input)) {
      issues.push(
        issue(
          ['program'],
          'the script to run, e.g. train.py',
          'nothing',
          `without \`command\`, each trial runs ${DEFAULT_COMMAND.join(' ')}; add \`program:\` (or a \`command\` list)`,
          '`program` is required when there is no `command`',
        ),
      );
    }
    return;
  }
  if (!Array.isArray(command)) return; // the schema already reported it
  const paramNames = leaves.map((leaf) => leaf.name);
  command.forEach((element, index) => {
    if (typeof element !== 'string') return;
    const parts = parseCommandElement(element);
    const standalone = parts.length === 1;
    for (const part of parts) {
      if (typeof part === 'string') continue;
      const path = ['command', index];
      if (part.kind === 'builtin') {
        if (LIST_MACROS.includes(part.name) && !standalone) {
          issues.push(
            issue(
              path,
              `\`${part.text}\` as a whole list element`,
              JSON.stringify(element),
              `\`${part.text}\` expands to one argument per parameter; put it in its own element, or use \${args_json} / \${args_json_file} inside a string`,
            ),
          );
        }
        if (part.name === 'program' && !hasProgram) {
          issues.push(
            issue(
              ['program'],
              `the script that \`\${program}\` stands for`,
              'nothing',
              'add `program: train.py`, or write the script name into `command` directly',
              `command[${index}] uses \${program} but \`program\` is not set`,
            ),
          );
        }
        continue;
      }
      if (part.kind === 'envvar') {
        if (!ENV_VAR_NAME.test(part.name)) {
          issues.push(
            issue(
              path,
              `\${envvar:NAME} with an environment variable name`,
              JSON.stringify(part.text),
              `e.g. \${envvar:DATA_DIR}`,
            ),
          );
        }
        continue;
      }
      if (paramNames.includes(part.name)) continue;
      const typo = didYouMean(part.name, COMMAND_MACROS);
      if (typo !== undefined) {
        issues.push(
          issue(path, 'a known macro', `unknown macro ${part.text}`, typo, `unknown macro ${part.text} in command`),
        );
        continue;
      }
      // W&B passes unknown macros through; so do we, but say so.
      warnings.push(
        issue(
          path,
          `a macro (${COMMAND_MACROS.map((m) => `\${${m}}`).join(' ')}, \${envvar:NAME}) or \${<parameter name>}`,
          `${part.text}, which is neither`,
          didYouMean(part.name, paramNames) ??
            (paramNames.length > 0 ? `parameters are: ${paramNames.join(', ')}` : undefined),
          `${part.text} is not a macro or a parameter; it is passed through literally`,
        ),
      );
    }
  });
}

/** `metrics.sources` without stdout makes `stdout`/`regex` meaningless; `stdout: false` with no regex turns stdout off. */
function checkMetricSources(metrics: unknown, issues: RawIssue[]) {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return;
  const { sources, stdout, regex } = metrics as Record<string, unknown>;
  if (!Array.isArray(sources)) return;
  if (!sources.includes('stdout')) {
    for (const [key, set] of [
      ['regex', regex !== undefined],
      ['stdout', stdout === true],
    ] as const) {
      if (!set) continue;
      issues.push(
        issue(
          ['metrics', key],
          'no stdout setting when `sources` leaves stdout out',
          key,
          'add stdout to `metrics.sources` (e.g. `sources: [sdk, stdout]`), or drop this key',
          `\`metrics.${key}\` has no effect: \`metrics.sources\` does not read stdout`,
        ),
      );
    }
  } else if (stdout === false && regex === undefined) {
    issues.push(
      issue(
        ['metrics', 'sources'],
        'sources that can be read',
        '[…, stdout] with `stdout: false` and no `regex`',
        'drop `stdout: false`, or give a `regex`, or leave stdout out of `sources`',
        '`metrics.sources` names stdout, but `stdout: false` without a `regex` reads nothing from it',
      ),
    );
  }
}

/** `env:` names: valid, not set by hyperfleet itself; a literal under a credential-like name is probably a leak. */
function checkTrialEnv(env: unknown, issues: RawIssue[], warnings: RawIssue[]) {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return; // the schema reported it
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_VAR_NAME.test(name)) {
      issues.push(
        issue(
          ['env', name],
          'an environment variable name (letters, digits and _, not starting with a digit)',
          JSON.stringify(name),
          `e.g. ${name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1') || 'MY_VAR'}`,
          `"${name}" is not an environment variable name`,
        ),
      );
      continue;
    }
    const reserved = reservedEnvReason(name);
    if (reserved !== null) {
      issues.push(
        issue(
          ['env', name],
          'a variable hyperfleet does not set itself',
          name,
          name === 'CUDA_VISIBLE_DEVICES' ? 'ask for GPUs with `resources.gpus`' : 'your program can read it as it is',
          `${name} cannot be set by a sweep (${reserved})`,
        ),
      );
      continue;
    }
    if ((typeof value === 'string' || typeof value === 'number') && looksLikeSecretName(name)) {
      warnings.push(
        issue(
          ['env', name],
          'a credential passed as `{secret: NAME}`',
          'a literal value',
          `write \`${name}: {secret: ${name}}\`: the agent reads it from its own environment, if its operator allows it (\`hyperfleet agent --allow-secret ${name}\`)`,
          `${name} is a literal value, stored with the sweep and shown to anyone who can read it`,
        ),
      );
    }
  }
}
