// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are W&B command macros, not templates
import { describe, expect, it } from 'vitest';
import type { ConfigIssue } from './config-issue';
import { validateSweepConfig } from './validate-sweep-config';

const base = { method: 'random', program: 'train.py', parameters: { lr: { min: 0.001, max: 0.1 } } };

function issues(raw: unknown): ConfigIssue[] {
  const result = validateSweepConfig(raw);
  if (result.ok) throw new Error('expected the config to be invalid');
  return result.issues;
}

function byPath(list: ConfigIssue[], path: string): ConfigIssue {
  const found = list.find((item) => item.path === path);
  if (found === undefined) throw new Error(`no issue at ${path}: ${list.map((i) => i.message).join('\n')}`);
  return found;
}

describe('validateSweepConfig', () => {
  it('returns the normalized config with defaults applied', () => {
    const result = validateSweepConfig({ ...base, metric: { name: 'loss' } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      method: 'random',
      metric: { name: 'loss', goal: 'minimize' },
      parameters: { lr: { distribution: 'uniform', min: 0.001, max: 0.1 } },
      parallel: 1,
      retries: 3,
      metrics: { stdout: true },
      grid: { shuffle: false },
      random: { without_replacement: false },
    });
    expect(result.warnings).toEqual([]);
  });

  it('accepts every hyperfleet addition', () => {
    const result = validateSweepConfig({
      ...base,
      metric: { name: 'val_acc', goal: 'maximize', target: 0.99 },
      parallel: 4,
      seed: 42,
      retries: 2,
      resources: { cpus: 0.5, gpus: 1, memory: '8Gi', pool: 'a100' },
      data: ['data/train.csv', 'data/val'],
      image: 'ghcr.io/acme/train:1.2',
      metrics: { stdout: false, regex: '(?<name>\\w+)=(?<value>[-+0-9.eE]+)' },
      timeout: 3600,
      interpreter: ['node', '--import', 'tsx'],
      grid: { shuffle: true },
      random: { without_replacement: true },
      run_cap: 20,
      name: 'n',
      description: 'd',
      project: 'p',
      entity: 'e',
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.resources).toEqual({ cpus: 0.5, gpus: 1, memory: '8Gi', pool: 'a100' });
  });

  it('accepts every early_terminate type and fills its defaults', () => {
    const run = (early_terminate: unknown) => {
      const result = validateSweepConfig({ ...base, metric: { name: 'loss' }, early_terminate });
      if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('\n'));
      return result.config.early_terminate;
    };
    expect(run({ type: 'hyperband', min_iter: 3 })).toEqual({ type: 'hyperband', min_iter: 3, eta: 3, strict: false });
    expect(run({ type: 'hyperband', max_iter: 27, s: 2, strict: true })).toEqual({
      type: 'hyperband',
      max_iter: 27,
      s: 2,
      eta: 3,
      strict: true,
    });
    expect(run({ type: 'asha', max_t: 100 })).toEqual({
      type: 'asha',
      grace_period: 1,
      reduction_factor: 3,
      max_t: 100,
    });
    expect(run({ type: 'median' })).toEqual({ type: 'median', warmup_steps: 0, min_trials: 5 });
  });

  it('reports every problem at once', () => {
    const found = issues({
      method: 'grid',
      paramters: {},
      parameters: { lr: { min: 1, max: 0.1 }, bs: { values: [] } },
      metric: { name: 'loss', goal: 'maximise' },
      parallel: 0,
    });
    expect(found.map((i) => i.path).sort()).toEqual(
      ['metric.goal', 'parallel', 'parameters.bs.values', 'parameters.lr.min', 'paramters', 'program'].sort(),
    );
  });

  it('unknown top-level keys, with "did you mean"', () => {
    const found = issues({ ...base, paramters: {}, early_termination: {}, max_runs: 10, zzz: 1 });
    expect(byPath(found, 'paramters')).toMatchObject({
      found: 'unknown key "paramters"',
      hint: 'did you mean `parameters`?',
      message: 'paramters: unknown top-level key "paramters"',
    });
    expect(byPath(found, 'early_termination').hint).toBe('did you mean `early_terminate`?');
    expect(byPath(found, 'max_runs').hint).toBe('did you mean `run_cap`?');
    expect(byPath(found, 'zzz').hint).toMatch(/^known keys: method, metric, parameters/);
  });

  it('unknown keys in nested objects, with "did you mean"', () => {
    const found = issues({
      ...base,
      metric: { name: 'loss', gaol: 'minimize' },
      early_terminate: { type: 'hyperband', min_iter: 3, etta: 2 },
      resources: { gpu: 1 },
    });
    expect(byPath(found, 'metric.gaol').hint).toBe('did you mean `goal`?');
    expect(byPath(found, 'early_terminate.etta').hint).toBe('did you mean `eta`?');
    expect(byPath(found, 'resources.gpu').hint).toBe('did you mean `gpus`?');
  });

  it('metric.goal typo', () => {
    const found = byPath(issues({ ...base, metric: { name: 'loss', goal: 'maximise' } }), 'metric.goal');
    expect(found).toMatchObject({
      expected: 'one of "minimize", "maximize"',
      found: '"maximise" (string)',
      hint: 'did you mean `maximize`?',
    });
  });

  it('grid over a continuous distribution names the parameter', () => {
    const found = issues({
      method: 'grid',
      program: 't.py',
      parameters: { lr: { min: 0.001, max: 0.1 }, bs: { values: [1, 2] }, opt: { parameters: { m: { mu: 0 } } } },
    });
    expect(found).toHaveLength(2);
    const lr = byPath(found, 'parameters.lr');
    expect(lr.message).toBe('parameters.lr: grid search cannot enumerate parameter "lr" (uniform is continuous)');
    expect(lr.hint).toMatch(/^grid needs discrete values: give `values`, or use int_uniform\/q_uniform/);
    expect(byPath(found, 'parameters.opt.parameters.m').message).toContain('"opt.m" (normal');
  });

  it('grid accepts constant, categorical, int_uniform and q_uniform; warns about probabilities', () => {
    const result = validateSweepConfig({
      method: 'grid',
      program: 't.py',
      parameters: {
        a: { value: 1 },
        b: { values: [1, 2], probabilities: [0.5, 0.5] },
        c: { min: 1, max: 3 },
        d: { distribution: 'q_uniform', min: 0, max: 1, q: 0.25 },
      },
    });
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => w.path)).toEqual(['parameters.b.probabilities']);
  });

  it('bayes and tpe need a metric; so does early_terminate', () => {
    for (const method of ['bayes', 'tpe']) {
      const found = byPath(issues({ ...base, method }), 'metric');
      expect(found.message).toBe(`metric: ${method} search needs a \`metric\``);
      expect(found.found).toBe('nothing');
    }
    const found = byPath(issues({ ...base, early_terminate: { type: 'median' } }), 'metric');
    expect(found.message).toContain('`early_terminate` needs a `metric`');
    const both = issues({ ...base, method: 'bayes', early_terminate: { type: 'median' } });
    expect(both.filter((i) => i.path === 'metric')).toHaveLength(1);
  });

  it('command must be a list of strings', () => {
    const found = issues({ ...base, command: ['python', 3, '${program}', { x: 1 }] });
    expect(byPath(found, 'command[1]')).toMatchObject({ expected: 'a string', found: '3 (number)' });
    expect(byPath(found, 'command[3]').expected).toBe('a string');
    expect(byPath(issues({ ...base, command: 'python train.py' }), 'command').hint).toContain('list of arguments');
    expect(byPath(issues({ ...base, command: [] }), 'command').expected).toBe('a non-empty list');
  });

  it('command macros: list macros must stand alone; unknown macros warn or (typos) fail', () => {
    const embedded = byPath(issues({ ...base, command: ['${interpreter}', '--all=${args}'] }), 'command[1]');
    expect(embedded.hint).toContain('expands to one argument per parameter');
    const typo = byPath(issues({ ...base, command: ['${interpeter}', '${program}'] }), 'command[0]');
    expect(typo).toMatchObject({ found: 'unknown macro ${interpeter}', hint: 'did you mean `interpreter`?' });
    const result = validateSweepConfig({
      ...base,
      command: ['${program}', '--lr=${lr}', '--x=${xx}', '${envvar:HOME}'],
    });
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => w.message)).toEqual([
      'command[2]: ${xx} is not a macro or a parameter; it is passed through literally',
    ]);
    expect(byPath(issues({ ...base, command: ['${envvar:}'] }), 'command[0]').expected).toContain('${envvar:NAME}');
  });

  it('program is required without a command, and when the command uses ${program}', () => {
    const { program: _, ...noProgram } = base;
    expect(byPath(issues(noProgram), 'program').message).toBe(
      'program: `program` is required when there is no `command`',
    );
    expect(byPath(issues({ ...noProgram, command: ['python', '${program}'] }), 'program').message).toContain(
      'command[1] uses ${program}',
    );
    expect(validateSweepConfig({ ...noProgram, command: ['python', 'train.py', '${args}'] }).ok).toBe(true);
  });

  it('parallel < 1, run_cap 0, negative retries, bad types', () => {
    const found = issues({ ...base, parallel: 0, run_cap: 0, retries: -1, seed: 1.5, timeout: 0 });
    expect(byPath(found, 'parallel')).toMatchObject({ expected: 'a number >= 1', found: '0 (number)' });
    expect(byPath(found, 'parallel').hint).toContain('how many trials run at once');
    expect(byPath(found, 'run_cap').expected).toBe('a number >= 1');
    expect(byPath(found, 'retries').expected).toBe('a number >= 0');
    expect(byPath(found, 'seed').expected).toBe('an integer');
    expect(byPath(found, 'timeout').expected).toBe('a number > 0');
    expect(byPath(issues({ ...base, parallel: '4' }), 'parallel').hint).toBe('write the number without quotes: 4');
  });

  it('method missing, misspelt, or W&B’s unsupported `custom`', () => {
    const { method: _, ...noMethod } = base;
    expect(byPath(issues(noMethod), 'method')).toMatchObject({
      found: 'nothing',
      hint: 'add `method:` — one of grid, random, bayes, tpe',
    });
    expect(byPath(issues({ ...base, method: 'radnom' }), 'method').hint).toBe('did you mean `random`?');
    expect(byPath(issues({ ...base, method: 'custom' }), 'method').hint).toContain('not supported');
  });

  it('hyperband needs min_iter or max_iter with s; eta > 1; unknown types get "did you mean"', () => {
    const withMetric = { ...base, metric: { name: 'loss' } };
    expect(
      byPath(issues({ ...withMetric, early_terminate: { type: 'hyperband' } }), 'early_terminate.min_iter').message,
    ).toBe('early_terminate.min_iter: hyperband needs `min_iter`, or `max_iter` with `s`');
    expect(
      byPath(issues({ ...withMetric, early_terminate: { type: 'hyperband', max_iter: 27 } }), 'early_terminate.s')
        .found,
    ).toBe('`max_iter` without `s`');
    expect(
      byPath(
        issues({ ...withMetric, early_terminate: { type: 'hyperband', min_iter: 3, eta: 1 } }),
        'early_terminate.eta',
      ).expected,
    ).toBe('a number > 1');
    const typo = byPath(issues({ ...withMetric, early_terminate: { type: 'hyperbnd' } }), 'early_terminate.type');
    expect(typo).toMatchObject({ expected: 'one of "hyperband", "asha", "median"', hint: 'did you mean `hyperband`?' });
  });

  it('metrics: W&B’s multi-objective list is explained; regex must capture name and value', () => {
    const list = byPath(issues({ ...base, metrics: [{ name: 'a' }, { name: 'b' }] }), 'metrics');
    expect(list.hint).toContain('multi-objective');
    const regex = byPath(issues({ ...base, metrics: { regex: 'loss=([0-9.]+)' } }), 'metrics.regex');
    expect(regex.found).toBe('a regex with 1 capture group');
    expect(byPath(issues({ ...base, metrics: { regex: '([a-z]+' } }), 'metrics.regex').found).toMatch(
      /^an invalid regex/,
    );
    expect(validateSweepConfig({ ...base, metrics: { regex: '(\\w+)=(\\S+)' } }).ok).toBe(true);
  });

  it('metrics.sources: sdk and/or stdout, each once, consistent with stdout/regex', () => {
    for (const sources of [['sdk'], ['stdout'], ['sdk', 'stdout'], ['stdout', 'sdk']]) {
      expect(validateSweepConfig({ ...base, metrics: { sources } }).ok).toBe(true);
    }
    const config = validateSweepConfig({ ...base, metrics: { sources: ['sdk', 'stdout'] } });
    expect(config.ok && config.config.metrics).toEqual({ stdout: true, sources: ['sdk', 'stdout'] });
    expect(byPath(issues({ ...base, metrics: { sources: ['sdk', 'wandb'] } }), 'metrics.sources[1]').expected).toBe(
      'one of "sdk", "stdout"',
    );
    expect(byPath(issues({ ...base, metrics: { sources: [] } }), 'metrics.sources').message).toBeTruthy();
    expect(byPath(issues({ ...base, metrics: { sources: ['sdk', 'sdk'] } }), 'metrics.sources').message).toContain(
      'each source at most once',
    );
    const regex = byPath(issues({ ...base, metrics: { sources: ['sdk'], regex: '(\\w+)=(\\S+)' } }), 'metrics.regex');
    expect(regex.message).toContain('`metrics.sources` does not read stdout');
    const silent = byPath(issues({ ...base, metrics: { sources: ['stdout'], stdout: false } }), 'metrics.sources');
    expect(silent.hint).toContain('give a `regex`');
  });

  it('resources.memory must be a Kubernetes quantity', () => {
    const found = byPath(issues({ ...base, resources: { memory: '8GB' } }), 'resources.memory');
    expect(found.hint).toContain('`8GB` is written `8G`');
  });

  it('W&B-only keys validate but warn that they are ignored', () => {
    const result = validateSweepConfig({ ...base, controller: { type: 'local' }, job: 'j', apiVersion: 'v1' });
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => w.path)).toEqual(['controller', 'job']);
  });

  it('env: literals become text, secrets stay names', () => {
    const result = validateSweepConfig({
      ...base,
      env: { WANDB_MODE: 'offline', OMP_NUM_THREADS: 4, DEBUG: false, HF_TOKEN: { secret: 'HF_TOKEN' } },
    });
    if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('\n'));
    expect(result.config.env).toEqual({
      WANDB_MODE: 'offline',
      OMP_NUM_THREADS: '4',
      DEBUG: 'false',
      HF_TOKEN: { secret: 'HF_TOKEN' },
    });
    expect(result.warnings).toEqual([]);
  });

  it('env: bad names, names hyperfleet sets, bad values and bad secret names each say what to write', () => {
    const found = issues({
      ...base,
      env: {
        'MY-VAR': 'x',
        HYPERFLEET_TOKEN: 'x',
        CUDA_VISIBLE_DEVICES: '0',
        LIST: [1],
        NOTHING: null,
        REF: { secret: 'not-a-name' },
        EXTRA: { secret: 'A', key: 'b' },
      },
    });
    expect(byPath(found, 'env.MY-VAR').hint).toBe('e.g. MY_VAR');
    expect(byPath(found, 'env.HYPERFLEET_TOKEN').message).toContain('cannot be set by a sweep');
    expect(byPath(found, 'env.CUDA_VISIBLE_DEVICES').hint).toContain('resources.gpus');
    expect(byPath(found, 'env.LIST').hint).toContain('`{secret: NAME}`');
    expect(byPath(found, 'env.NOTHING').hint).toContain('a literal');
    expect(byPath(found, 'env.REF.secret').expected).toBe('an environment variable name');
    expect(byPath(found, 'env.EXTRA.key').hint).toBe('known keys: secret');
    expect(byPath(issues({ ...base, env: 'A=1' }), 'env').hint).toContain('env: {WANDB_MODE: offline');
  });

  it('env: a literal under a credential-like name is allowed but warned about (it is stored with the sweep)', () => {
    const result = validateSweepConfig({ ...base, env: { HF_TOKEN: 'hf_abc', AWS_SECRET_ACCESS_KEY: 'x', LR: '1' } });
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => w.path)).toEqual(['env.HF_TOKEN', 'env.AWS_SECRET_ACCESS_KEY']);
    expect(result.warnings[0]!.hint).toContain('`HF_TOKEN: {secret: HF_TOKEN}`');
    expect(result.warnings[0]!.hint).toContain('--allow-secret HF_TOKEN');
  });

  it('a config that is not a mapping', () => {
    for (const raw of [null, 'method: random', [1], 42]) {
      const [only] = issues(raw);
      expect(only!.path).toBe('');
      expect(only!.expected).toContain('a mapping');
    }
  });
});
