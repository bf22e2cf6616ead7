import { describe, expect, it } from 'vitest';
import type { Distribution } from './domain';
import { parseSweepConfig } from './parse-sweep-config';
import { toSearchSpace } from './search-space';
import { validateSweepConfig } from './validate-sweep-config';

/** The normalized distribution of a single parameter `p` under method random. */
function distOf(spec: unknown): Distribution {
  const result = validateSweepConfig({ method: 'random', program: 'train.py', parameters: { p: spec } });
  if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('\n'));
  const [param] = toSearchSpace(result.config).params;
  return param!.dist;
}

function issuesOf(spec: unknown) {
  const result = validateSweepConfig({ method: 'random', program: 'train.py', parameters: { p: spec } });
  if (result.ok) throw new Error('expected the config to be invalid');
  return result.issues;
}

describe('W&B inference when `distribution` is omitted', () => {
  it('value → constant', () => {
    expect(distOf({ value: 5 })).toEqual({ distribution: 'constant', value: 5 });
    expect(distOf({ value: { nested: [1, 'a'] } })).toEqual({ distribution: 'constant', value: { nested: [1, 'a'] } });
    expect(distOf({ value: null })).toEqual({ distribution: 'constant', value: null });
  });

  it('values → categorical, with probabilities kept', () => {
    expect(distOf({ values: ['adam', 'sgd'] })).toEqual({ distribution: 'categorical', values: ['adam', 'sgd'] });
    expect(distOf({ values: [1, 2], probabilities: [0.25, 0.75] })).toEqual({
      distribution: 'categorical',
      values: [1, 2],
      probabilities: [0.25, 0.75],
    });
  });

  it('integer min/max → int_uniform, float min/max → uniform', () => {
    expect(distOf({ min: 1, max: 10 })).toEqual({ distribution: 'int_uniform', min: 1, max: 10 });
    expect(distOf({ min: 0.0001, max: 0.1 })).toEqual({ distribution: 'uniform', min: 0.0001, max: 0.1 });
    expect(distOf({ min: 1, max: 2.5 })).toEqual({ distribution: 'uniform', min: 1, max: 2.5 });
  });

  it('float literals with integral values (min: 0.0) still infer uniform when read from YAML', () => {
    const fromYaml = (bounds: string) => {
      const result = parseSweepConfig(`method: random\nprogram: t.py\nparameters:\n  p: {${bounds}}\n`, 'inline.yaml');
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      return toSearchSpace(result.config).params[0]!.dist.distribution;
    };
    expect(fromYaml('min: 0.0, max: 1.0')).toBe('uniform');
    expect(fromYaml('min: 0, max: 1.0')).toBe('uniform');
    expect(fromYaml('min: 0, max: 1')).toBe('int_uniform');
  });

  it('min/max with q → q_uniform', () => {
    expect(distOf({ min: 0, max: 100, q: 5 })).toEqual({ distribution: 'q_uniform', min: 0, max: 100, q: 5 });
  });

  it('mu/sigma → normal (defaults mu 0, sigma 1), with q → q_normal', () => {
    expect(distOf({ mu: 2, sigma: 0.5 })).toEqual({ distribution: 'normal', mu: 2, sigma: 0.5 });
    expect(distOf({ sigma: 3 })).toEqual({ distribution: 'normal', mu: 0, sigma: 3 });
    expect(distOf({ mu: 1, q: 0.5 })).toEqual({ distribution: 'q_normal', mu: 1, sigma: 1, q: 0.5 });
  });

  it('a/b → beta (defaults 1), with q → q_beta', () => {
    expect(distOf({ a: 2, b: 5 })).toEqual({ distribution: 'beta', a: 2, b: 5 });
    expect(distOf({ a: 2 })).toEqual({ distribution: 'beta', a: 2, b: 1 });
    expect(distOf({ a: 2, b: 2, q: 0.1 })).toEqual({ distribution: 'q_beta', a: 2, b: 2, q: 0.1 });
  });
});

describe('every explicit distribution', () => {
  it.each<[unknown, Distribution]>([
    [
      { distribution: 'constant', value: 'x' },
      { distribution: 'constant', value: 'x' },
    ],
    [
      { distribution: 'categorical', values: [true, false] },
      { distribution: 'categorical', values: [true, false] },
    ],
    [
      { distribution: 'categorical_w_probabilities', values: ['a', 'b'], probabilities: [0.5, 0.5] },
      { distribution: 'categorical', values: ['a', 'b'], probabilities: [0.5, 0.5] },
    ],
    [
      { distribution: 'int_uniform', min: -3, max: 3 },
      { distribution: 'int_uniform', min: -3, max: 3 },
    ],
    [
      { distribution: 'uniform', min: 0, max: 1 },
      { distribution: 'uniform', min: 0, max: 1 },
    ],
    [
      { distribution: 'q_uniform', min: 0, max: 1 },
      { distribution: 'q_uniform', min: 0, max: 1, q: 1 },
    ],
    [
      { distribution: 'q_uniform', min: 0, max: 1, q: 0.1 },
      { distribution: 'q_uniform', min: 0, max: 1, q: 0.1 },
    ],
    [
      { distribution: 'log_uniform', min: -9.21, max: -4.61 },
      { distribution: 'log_uniform', min: -9.21, max: -4.61 },
    ],
    [
      { distribution: 'log_uniform_values', min: 1e-4, max: 1e-2 },
      { distribution: 'log_uniform_values', min: 1e-4, max: 1e-2 },
    ],
    [
      { distribution: 'q_log_uniform', min: 0, max: 5 },
      { distribution: 'q_log_uniform', min: 0, max: 5, q: 1 },
    ],
    [
      { distribution: 'q_log_uniform_values', min: 32, max: 256, q: 8 },
      { distribution: 'q_log_uniform_values', min: 32, max: 256, q: 8 },
    ],
    [
      { distribution: 'inv_log_uniform', min: 0, max: 3 },
      { distribution: 'inv_log_uniform', min: 0, max: 3 },
    ],
    [
      { distribution: 'inv_log_uniform_values', min: 0.001, max: 1 },
      { distribution: 'inv_log_uniform_values', min: 0.001, max: 1 },
    ],
    [{ distribution: 'normal' }, { distribution: 'normal', mu: 0, sigma: 1 }],
    [
      { distribution: 'q_normal', mu: 10, sigma: 2 },
      { distribution: 'q_normal', mu: 10, sigma: 2, q: 1 },
    ],
    [
      { distribution: 'log_normal', mu: -1, sigma: 0.5 },
      { distribution: 'log_normal', mu: -1, sigma: 0.5 },
    ],
    [
      { distribution: 'q_log_normal', q: 2 },
      { distribution: 'q_log_normal', mu: 0, sigma: 1, q: 2 },
    ],
    [{ distribution: 'beta' }, { distribution: 'beta', a: 1, b: 1 }],
    [
      { distribution: 'q_beta', a: 0.5, b: 0.5, q: 0.05 },
      { distribution: 'q_beta', a: 0.5, b: 0.5, q: 0.05 },
    ],
  ])('%j', (spec, expected) => {
    expect(distOf(spec)).toEqual(expected);
  });

  it('int_uniform given explicitly with non-integer bounds is an error', () => {
    const [found] = issuesOf({ distribution: 'int_uniform', min: 0.5, max: 3 });
    expect(found).toMatchObject({ path: 'parameters.p.min', expected: 'an integer' });
    expect(found!.hint).toContain('uniform');
  });
});

describe('bad parameter specs', () => {
  it('min > max', () => {
    const [found] = issuesOf({ min: 10, max: 1 });
    expect(found).toMatchObject({ path: 'parameters.p.min', hint: 'swap min and max' });
    expect(found!.message).toBe('parameters.p.min: min (10) is greater than max (1)');
  });

  it('a categorical with no values', () => {
    const [found] = issuesOf({ values: [] });
    expect(found).toMatchObject({
      path: 'parameters.p.values',
      expected: 'a non-empty list of values',
      found: '[] (empty list)',
    });
    const [missing] = issuesOf({ distribution: 'categorical' });
    expect(missing).toMatchObject({ path: 'parameters.p.values', found: 'nothing' });
  });

  it('probabilities whose count differs from the values', () => {
    const [found] = issuesOf({ values: [1, 2, 3], probabilities: [0.5, 0.5] });
    expect(found).toMatchObject({ path: 'parameters.p.probabilities', expected: '3 probabilities (one per value)' });
    expect(found!.message).toContain('2 probabilities for 3 values');
  });

  it('probabilities that do not sum to 1 (tolerance 1e-6)', () => {
    const [found] = issuesOf({ values: ['a', 'b'], probabilities: [0.5, 0.6] });
    expect(found).toMatchObject({ path: 'parameters.p.probabilities', expected: 'probabilities that sum to 1' });
    expect(found!.message).toContain('sum to 1.1');
    expect(distOf({ values: ['a', 'b', 'c'], probabilities: [0.1, 0.2, 0.7000000001] })).toMatchObject({
      distribution: 'categorical',
    });
    const [negative] = issuesOf({ values: ['a', 'b'], probabilities: [-0.5, 1.5] });
    expect(negative).toMatchObject({ path: 'parameters.p.probabilities[0]', expected: 'a number >= 0' });
  });

  it('log_uniform with bounds that are clearly values, not exponents', () => {
    const [small] = issuesOf({ distribution: 'log_uniform', min: 1e-4, max: 1e-2 });
    expect(small!.path).toBe('parameters.p.min');
    expect(small!.hint).toMatch(/^bounds are exponents of e; did you mean log_uniform_values\?/);
    const [huge] = issuesOf({ distribution: 'log_uniform', min: 1, max: 1000 });
    expect(huge!.path).toBe('parameters.p.max');
    expect(huge!.hint).toContain('did you mean log_uniform_values?');
    const [quantized] = issuesOf({ distribution: 'q_log_uniform', min: 0.001, max: 0.1 });
    expect(quantized!.hint).toContain('did you mean q_log_uniform_values?');
    const [inverse] = issuesOf({ distribution: 'inv_log_uniform', min: 0.0001, max: 0.5 });
    expect(inverse!.hint).toContain('did you mean inv_log_uniform_values?');
    // W&B's own docs example: exponents, negative, valid.
    expect(distOf({ distribution: 'log_uniform', min: -9.21, max: -4.61 }).distribution).toBe('log_uniform');
    expect(distOf({ distribution: 'log_uniform', min: 0, max: 5 }).distribution).toBe('log_uniform');
  });

  it('*_values forms need min > 0', () => {
    for (const distribution of ['log_uniform_values', 'q_log_uniform_values', 'inv_log_uniform_values']) {
      const [zero] = issuesOf({ distribution, min: 0, max: 1 });
      expect(zero).toMatchObject({ path: 'parameters.p.min', found: '0 (number)' });
      expect(zero!.expected).toContain('> 0');
    }
    const [negative] = issuesOf({ distribution: 'log_uniform_values', min: -9.21, max: -4.61 });
    expect(negative!.hint).toContain('use log_uniform');
  });

  it('sigma must be > 0, q must be > 0, beta shapes must be > 0', () => {
    expect(issuesOf({ distribution: 'normal', sigma: 0 })[0]).toMatchObject({
      path: 'parameters.p.sigma',
      hint: 'for a fixed value use `value: X`',
    });
    expect(issuesOf({ mu: 0, sigma: -1 })[0]!.path).toBe('parameters.p.sigma');
    expect(issuesOf({ distribution: 'q_uniform', min: 0, max: 1, q: 0 })[0]).toMatchObject({
      path: 'parameters.p.q',
      found: '0 (number)',
    });
    expect(issuesOf({ distribution: 'q_log_normal', q: -2 })[0]!.path).toBe('parameters.p.q');
    expect(issuesOf({ distribution: 'beta', a: 0 })[0]!.path).toBe('parameters.p.a');
  });

  it('unknown keys, with "did you mean"', () => {
    const [typo] = issuesOf({ vaules: [1, 2] });
    expect(typo).toMatchObject({
      path: 'parameters.p.vaules',
      found: 'unknown key "vaules"',
      hint: 'did you mean `values`?',
    });
    const [dist] = issuesOf({ distrbution: 'uniform', min: 0, max: 1 });
    expect(dist!.hint).toBe('did you mean `distribution`?');
    // Names from other tools map to ours.
    expect(issuesOf({ choices: [1, 2] })[0]!.hint).toBe('did you mean `values`?');
    expect(issuesOf({ low: 0.1, high: 1 }).map((i) => i.hint)).toEqual(['did you mean `min`?', 'did you mean `max`?']);
  });

  it('unknown distribution names, with "did you mean"', () => {
    const [found] = issuesOf({ distribution: 'loguniform', min: 0, max: 1 });
    expect(found).toMatchObject({ path: 'parameters.p.distribution', found: '"loguniform" (string)' });
    expect(found!.hint).toBe('did you mean `log_uniform`?');
  });

  it('keys that do not belong to the distribution', () => {
    const [found] = issuesOf({ distribution: 'uniform', min: 0, max: 1, mu: 0.5 });
    expect(found!.path).toBe('parameters.p.mu');
    expect(found!.message).toContain('`mu` does not apply to uniform (it takes min, max)');
    expect(issuesOf({ distribution: 'uniform', min: 0, max: 1, q: 0.1 })[0]!.hint).toContain('q_uniform');
  });

  it('value and values together, bounds missing, nothing to infer from', () => {
    expect(issuesOf({ value: 1, values: [1] })[0]!.found).toBe('both `value` and `values`');
    expect(issuesOf({ min: 1 })[0]).toMatchObject({ path: 'parameters.p.max', found: 'nothing' });
    expect(issuesOf({})[0]!.message).toContain('cannot tell which distribution');
    expect(issuesOf({ min: '0.1', max: 1 })[0]).toMatchObject({
      path: 'parameters.p.min',
      hint: 'write it without quotes: 0.1',
    });
  });

  it('a bare value instead of a spec', () => {
    expect(issuesOf(0.01)[0]!.hint).toBe('write `p: {value: 0.01}` for a constant');
    expect(issuesOf([1, 2])[0]!.hint).toBe('write `p: {values: [1,2]}` for a choice between these values');
  });

  it('non-finite numbers are rejected as values', () => {
    expect(issuesOf({ values: [1, Number.NaN] })[0]!.path).toBe('parameters.p.values[1]');
    expect(issuesOf({ min: 0, max: Number.POSITIVE_INFINITY })[0]!.path).toBe('parameters.p.max');
  });
});

describe('nested parameters', () => {
  it('nest to any depth and must not mix with a distribution', () => {
    const ok = validateSweepConfig({
      method: 'grid',
      program: 't.py',
      parameters: { opt: { parameters: { lr: { values: [1] }, inner: { parameters: { beta: { value: 0.9 } } } } } },
    });
    expect(ok.ok).toBe(true);
    const bad = validateSweepConfig({
      method: 'grid',
      program: 't.py',
      parameters: { opt: { values: [1], parameters: { lr: { values: [1] } } } },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]!.path).toBe('parameters.opt.values');
  });

  it('reports problems inside nests with their full path', () => {
    const bad = validateSweepConfig({
      method: 'random',
      program: 't.py',
      parameters: { opt: { parameters: { lr: { min: 1, max: 0 } } } },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]!.path).toBe('parameters.opt.parameters.lr.min');
  });

  it('a flat dotted name colliding with a nested one is an error', () => {
    const bad = validateSweepConfig({
      method: 'random',
      program: 't.py',
      parameters: { 'a.b': { value: 1 }, a: { parameters: { b: { value: 2 } } } },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.issues).toHaveLength(1);
      expect(bad.issues[0]!.path).toBe('parameters.a.parameters.b');
      expect(bad.issues[0]!.found).toContain('"a.b"');
    }
  });

  it('parameter names follow W&B’s pattern', () => {
    const bad = validateSweepConfig({
      method: 'random',
      program: 't.py',
      parameters: { 'learning rate': { value: 1 } },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]!.path).toBe('parameters["learning rate"]');
  });

  it('empty parameter blocks are errors', () => {
    const bad = validateSweepConfig({ method: 'random', program: 't.py', parameters: {} });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]).toMatchObject({ path: 'parameters', expected: 'at least one parameter' });
  });
});
