import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNode } from './spawn-script.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-sdk-params-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const printParams = 'console.log(JSON.stringify(sdk.params()));';
const parsedParams = (res: { stdout: string; stderr: string }) => {
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout);
};

describe('params()', () => {
  it('reads HYPERFLEET_PARAMS_FILE first, ignoring HYPERFLEET_PARAMS and argv', () => {
    const file = join(dir, 'params.json');
    writeFileSync(file, JSON.stringify({ lr: 0.001, optimizer: { name: 'adam', betas: [0.9, 0.999] } }));
    const res = runNode(printParams, {
      env: { HYPERFLEET_PARAMS_FILE: file, HYPERFLEET_PARAMS: '{"lr":1}' },
      args: ['--lr=2'],
    });
    expect(parsedParams(res)).toEqual({ lr: 0.001, optimizer: { name: 'adam', betas: [0.9, 0.999] } });
  });

  it('reads HYPERFLEET_PARAMS when there is no params file, ignoring argv', () => {
    const res = runNode(printParams, { env: { HYPERFLEET_PARAMS: '{"lr":0.01,"hidden":16}' }, args: ['--lr=2'] });
    expect(parsedParams(res)).toEqual({ lr: 0.01, hidden: 16 });
  });

  it('parses --name=value argv as JSON literals with dotted names nested, when run by hand', () => {
    const res = runNode(printParams, {
      args: [
        'positional',
        '--lr=1e-3',
        '--hidden=16',
        '--name=adam',
        '--quoted="42"',
        '--flag',
        '--on=false',
        '--none=null',
        '--list=[1,2,3]',
        '--opt.beta1=0.9',
        '--opt.beta2=0.999',
        '--opt.nested.deep=x',
        '--expr=a=b',
        '--empty=',
      ],
    });
    expect(parsedParams(res)).toEqual({
      lr: 0.001,
      hidden: 16,
      name: 'adam',
      quoted: '42',
      flag: true,
      on: false,
      none: null,
      list: [1, 2, 3],
      opt: { beta1: 0.9, beta2: 0.999, nested: { deep: 'x' } },
      expr: 'a=b',
      empty: '',
    });
  });

  it('returns {} when there are no params anywhere', () => {
    expect(parsedParams(runNode(printParams))).toEqual({});
  });

  it('fails loudly on invalid JSON, a non-object, a missing params file, or a prototype-polluting name', () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ HYPERFLEET_PARAMS: '{lr: 1}' }, [], /HYPERFLEET_PARAMS are not valid JSON/],
      [{ HYPERFLEET_PARAMS: '[1,2]' }, [], /must be a JSON object/],
      [{ HYPERFLEET_PARAMS_FILE: join(dir, 'missing.json') }, [], /ENOENT/],
      [{}, ['--__proto__.polluted=1'], /invalid argument name "__proto__.polluted"/],
      [{}, ['--a..b=1'], /invalid argument name/],
    ];
    for (const [env, args, message] of cases) {
      const res = runNode(printParams, { env, args });
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(message);
    }
  });
});

describe('seed() and outputDir()', () => {
  it('seed() is HYPERFLEET_SEED as a number, undefined when unset, and an error when not an integer', () => {
    const print = 'console.log(String(sdk.seed()));';
    expect(runNode(print, { env: { HYPERFLEET_SEED: '1234567' } }).stdout.trim()).toBe('1234567');
    expect(runNode(print).stdout.trim()).toBe('undefined');
    const bad = runNode(print, { env: { HYPERFLEET_SEED: 'abc' } });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/HYPERFLEET_SEED must be an integer/);
  });

  it('outputDir() creates and returns HYPERFLEET_OUTPUT_DIR, else ./outputs under the cwd', () => {
    const print = 'console.log(sdk.outputDir());';
    const target = join(dir, 'trial', 'outputs');
    expect(runNode(print, { env: { HYPERFLEET_OUTPUT_DIR: target } }).stdout.trim()).toBe(target);
    expect(statSync(target).isDirectory()).toBe(true);
    expect(runNode(print, { cwd: dir }).stdout.trim()).toBe(join(dir, 'outputs'));
    expect(existsSync(join(dir, 'outputs'))).toBe(true);
  });
});
