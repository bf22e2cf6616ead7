// The stdlib-only Python SDK (packages/sdk/python/hyperfleet), driven through real `python3` processes.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, PYTHON_SDK_DIR, readMetricsLines, runPython, scratchDir, spawnProgram } from './spawn-script.js';

const scratch = scratchDir('hf-sdk-py-');

describe('python log()', () => {
  it('appends one strict-JSON line per call, auto-incrementing the step, with non-finite values as strings', () => {
    const before = Date.now();
    const res = runPython(
      `hyperfleet.log({"val_acc": 0.5, "loss": 1.25})
hyperfleet.log({"n": 3, "nan": float("nan"), "inf": float("inf"), "ninf": float("-inf")})
hyperfleet.log({"val_acc": 0.9}, step=10)
hyperfleet.log({"val_acc": 0.1 + 0.2})`,
      { env: { HYPERFLEET_METRICS_FILE: scratch.metricsFile } },
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toBe('');
    const lines = readMetricsLines(scratch.metricsFile);
    expect(lines.map((l) => ({ step: l.step, metrics: l.metrics }))).toEqual([
      { step: 0, metrics: { val_acc: 0.5, loss: 1.25 } },
      { step: 1, metrics: { n: 3, nan: 'NaN', inf: 'Infinity', ninf: '-Infinity' } },
      { step: 10, metrics: { val_acc: 0.9 } },
      { step: 11, metrics: { val_acc: 0.30000000000000004 } },
    ]);
    for (const line of lines) {
      expect(Number.isInteger(line.ts)).toBe(true);
      expect(line.ts).toBeGreaterThanOrEqual(before - 5); // python's clock, ms resolution
      expect(line.ts).toBeLessThanOrEqual(Date.now());
    }
  });

  it('appends to an existing file, and every line is on disk when log() returns (SIGKILL right after)', () => {
    writeFileSync(scratch.metricsFile, '{"step":0,"metrics":{"i":-1}}\n');
    const res = runPython(
      `import os, signal
for i in range(200):
    hyperfleet.log({"i": i}, step=i + 1)
os.kill(os.getpid(), signal.SIGKILL)`,
      { env: { HYPERFLEET_METRICS_FILE: scratch.metricsFile } },
    );
    expect(res.signal).toBe('SIGKILL');
    const lines = readMetricsLines(scratch.metricsFile);
    expect(lines).toHaveLength(201);
    expect(lines.map((l) => l.metrics.i)).toEqual([-1, ...Array.from({ length: 200 }, (_, i) => i)]);
  });

  it('prints step=N name=value pairs on stdout when HYPERFLEET_METRICS_FILE is unset', () => {
    const res = runPython(
      `hyperfleet.log({"val_acc": 0.5, "loss": 1.25})
hyperfleet.log({"loss": float("nan"), "up": float("inf"), "down": float("-inf"), "n": 2})
hyperfleet.log({"val_acc": 0.9}, step=7)`,
      { cwd: scratch.dir },
    );
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(
      'step=0 val_acc=0.5 loss=1.25\nstep=1 loss=NaN up=Infinity down=-Infinity n=2\nstep=7 val_acc=0.9\n',
    );
    expect(existsSync(scratch.metricsFile)).toBe(false);
  });

  it('rejects non-number values and bad steps with TypeError, writing nothing and keeping the step', () => {
    const res = runPython(
      `for args in [({"a": "0.9"},), ({"a": True},), ({"a": 1}, -1), ({"a": 1}, 1.5), ([1],)]:
    try:
        hyperfleet.log(*args)
        print("accepted", args)
    except TypeError as e:
        print("TypeError", e)
hyperfleet.log({"a": 1})`,
      { env: { HYPERFLEET_METRICS_FILE: scratch.metricsFile } },
    );
    expect(res.status).toBe(0);
    const out = res.stdout.trim().split('\n');
    expect(out).toHaveLength(5);
    for (const line of out) expect(line).toMatch(/^TypeError /);
    expect(out[0]).toContain('metric "a" must be a number, got str');
    expect(readMetricsLines(scratch.metricsFile).map((l) => l.step)).toEqual([0]);
  });
});

describe('python params(), seed(), output_dir()', () => {
  const printParams = 'import json; print(json.dumps(hyperfleet.params(), sort_keys=True))';

  it('reads HYPERFLEET_PARAMS_FILE first, then HYPERFLEET_PARAMS, then --name=value argv', () => {
    const file = join(scratch.dir, 'params.json');
    writeFileSync(file, JSON.stringify({ lr: 0.001, opt: { name: 'adam' } }));
    const fromFile = runPython(printParams, {
      env: { HYPERFLEET_PARAMS_FILE: file, HYPERFLEET_PARAMS: '{"lr":1}' },
      args: ['--lr=2'],
    });
    expect(JSON.parse(fromFile.stdout)).toEqual({ lr: 0.001, opt: { name: 'adam' } });
    const fromEnv = runPython(printParams, { env: { HYPERFLEET_PARAMS: '{"lr":0.01}' }, args: ['--lr=2'] });
    expect(JSON.parse(fromEnv.stdout)).toEqual({ lr: 0.01 });
    const fromArgv = runPython(printParams, {
      args: ['positional', '--lr=1e-3', '--hidden=16', '--name=adam', '--flag', '--on=true', '--list=[1,2]'].concat([
        '--opt.beta1=0.9',
        '--opt.nested.deep=x',
        '--expr=a=b',
      ]),
    });
    expect(fromArgv.stderr).toBe('');
    expect(JSON.parse(fromArgv.stdout)).toEqual({
      lr: 0.001,
      hidden: 16,
      name: 'adam',
      flag: true,
      on: true,
      list: [1, 2],
      opt: { beta1: 0.9, nested: { deep: 'x' } },
      expr: 'a=b',
    });
    expect(JSON.parse(runPython(printParams).stdout)).toEqual({});
  });

  it('fails loudly on invalid JSON, a non-object, a missing file, or a bad argument name', () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ HYPERFLEET_PARAMS: '{lr: 1}' }, [], /HYPERFLEET_PARAMS are not valid JSON/],
      [{ HYPERFLEET_PARAMS: '[1,2]' }, [], /must be a JSON object/],
      [{ HYPERFLEET_PARAMS_FILE: join(scratch.dir, 'missing.json') }, [], /FileNotFoundError/],
      [{}, ['--__proto__.x=1'], /invalid argument name/],
      [{}, ['--a..b=1'], /invalid argument name/],
    ];
    for (const [env, args, message] of cases) {
      const res = runPython(printParams, { env, args });
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(message);
    }
  });

  it('seed() parses HYPERFLEET_SEED; output_dir() creates HYPERFLEET_OUTPUT_DIR or ./outputs', () => {
    const print = 'print(hyperfleet.seed()); print(hyperfleet.output_dir())';
    const target = join(scratch.dir, 'trial', 'out');
    const res = runPython(print, { env: { HYPERFLEET_SEED: '42', HYPERFLEET_OUTPUT_DIR: target } });
    expect(res.stdout).toBe(`42\n${target}\n`);
    expect(existsSync(target)).toBe(true);
    expect(runPython(print, { cwd: scratch.dir }).stdout).toBe(`None\n${join(scratch.dir, 'outputs')}\n`);
    const bad = runPython(print, { env: { HYPERFLEET_SEED: 'x' } });
    expect(bad.stderr).toMatch(/HYPERFLEET_SEED must be an integer/);
  });

  it('uses no syntax newer than Python 3.8 and imports only the standard library', () => {
    const res = spawnProgram(PYTHON, [
      '-c',
      `import ast, sys
src = open(sys.argv[1]).read()
tree = ast.parse(src, feature_version=(3, 8))
mods = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
mods |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
print(" ".join(sorted(m for m in mods if m not in sys.stdlib_module_names)))`,
      join(PYTHON_SDK_DIR, 'hyperfleet', '__init__.py'),
    ]);
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe(''); // names of non-stdlib imports, if any
  });
});
