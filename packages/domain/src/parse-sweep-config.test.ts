import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error';
import { isHyperfleetError } from './errors';
import { loadSweepConfig, parseSweepConfig, requireValidConfig } from './parse-sweep-config';

describe('parseSweepConfig', () => {
  it('reports invalid YAML with line and column', () => {
    const result = parseSweepConfig(
      'method: random\nparameters:\n  lr: {min: 1, max: 2\nprogram: t.py\n',
      'sweep.yaml',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const [first] = result.issues;
    expect(first).toMatchObject({
      path: '',
      expected: 'valid YAML',
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect(first!.message).toMatch(/^sweep\.yaml: invalid YAML at line \d+, column \d+: /);
  });

  it('reports a bad indentation and a tab with their position', () => {
    const result = parseSweepConfig('method: random\n\tparameters: {}\n', 'tabs.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.line).toBe(2);
  });

  it('reports duplicate keys as YAML errors', () => {
    const result = parseSweepConfig('method: random\nmethod: grid\nparameters: {a: {value: 1}}\nprogram: t.py\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]).toMatchObject({
      line: 2,
      hint: 'each key may appear once per mapping; merge the two entries',
    });
  });

  it('puts line and column on validation issues, pointing at the key', () => {
    const text = [
      'method: random',
      'program: train.py',
      'paramters: {}',
      'parameters:',
      '  lr:',
      '    min: 0.5',
      '    max: 0.1',
      '',
    ].join('\n');
    const result = parseSweepConfig(text, 'sweep.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.path, i.line, i.column])).toEqual([
      ['paramters', 3, 1],
      ['parameters.lr.min', 6, 5],
    ]);
  });

  it('points at list elements, and at the nearest ancestor for missing keys', () => {
    const text = 'method: bayes\nprogram: t.py\nparameters:\n  a: {values: [1, 2]}\ncommand:\n  - python\n  - 3\n';
    const result = parseSweepConfig(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const command = result.issues.find((i) => i.path === 'command[1]');
    expect(command).toMatchObject({ line: 7, column: 5 });
    const metric = result.issues.find((i) => i.path === 'metric');
    expect(metric).toMatchObject({ line: 1, column: 1 }); // metric is absent: the document start
  });

  it('reads JSON too', () => {
    const result = parseSweepConfig(
      JSON.stringify({ method: 'grid', program: 't.py', parameters: { a: { values: [1, 2] } } }),
      'sweep.json',
    );
    expect(result.ok).toBe(true);
  });

  it('an empty file', () => {
    const result = parseSweepConfig('# just a comment\n', 'empty.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues[0]).toMatchObject({ found: 'an empty document', message: 'empty.yaml: the file is empty' });
  });

  it('keeps a `__proto__` key as data (reported as unknown), never as a prototype', () => {
    const result = parseSweepConfig(
      'method: random\nprogram: t.py\nparameters: {a: {value: 1}}\n__proto__: {polluted: true}\n',
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('loadSweepConfig and requireValidConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hyperfleet-spec-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a file and returns its config', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(file, 'method: grid\nprogram: t.py\nparameters:\n  a: {values: [1, 2]}\n');
    const config = requireValidConfig(await loadSweepConfig(file));
    expect(config.parameters).toEqual({ a: { distribution: 'categorical', values: [1, 2] } });
  });

  it('throws ConfigError with every issue for an invalid file', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'method: grid\nparallel: 0\nparameters:\n  lr: {min: 0.1, max: 0.01}\n');
    const result = await loadSweepConfig(file);
    let thrown: unknown;
    try {
      requireValidConfig(result, file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('CONFIG_INVALID');
    // Sorted by line; the missing `program` points at the document start.
    expect(error.issues.map((i) => i.path)).toEqual(['program', 'parallel', 'parameters.lr.min']);
    expect(error.message.split('\n')[0]).toBe(`invalid sweep config ${file}: 3 problems`);
    expect(error.message).toContain(`parameters.lr.min (${file}:4:8)`);
    expect(error.toJSON().issues).toHaveLength(3);
  });

  it('a missing file is a HyperfleetError CONFIG_UNREADABLE with a hint', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(loadSweepConfig(missing)).rejects.toSatisfy(
      (error: unknown) => isHyperfleetError(error) && error.code === 'CONFIG_UNREADABLE' && error.hint !== undefined,
    );
  });
});
