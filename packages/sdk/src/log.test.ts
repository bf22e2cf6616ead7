import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { log } from './index.js';
import { REPO_ROOT, readMetricsLines, runNode, scratchDir, spawnProgram } from './spawn-script.js';

const scratch = scratchDir('hf-sdk-log-');

describe('log() with HYPERFLEET_METRICS_FILE', () => {
  it('appends one JSON line per call, auto-incrementing the step from 0 and after an explicit step', () => {
    const before = Date.now();
    const res = runNode(
      `sdk.log({ val_acc: 0.5, loss: 1.25 });
       sdk.log({ val_acc: 0.75 });
       sdk.log({ val_acc: 0.9 }, { step: 10 });
       sdk.log({ val_acc: 0.93, loss: 0.21 });`,
      { env: { HYPERFLEET_METRICS_FILE: scratch.metricsFile } },
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(''); // nothing on stdout when the file is used
    const lines = readMetricsLines(scratch.metricsFile);
    expect(lines.map((l) => ({ step: l.step, metrics: l.metrics }))).toEqual([
      { step: 0, metrics: { val_acc: 0.5, loss: 1.25 } },
      { step: 1, metrics: { val_acc: 0.75 } },
      { step: 10, metrics: { val_acc: 0.9 } },
      { step: 11, metrics: { val_acc: 0.93, loss: 0.21 } },
    ]);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['metrics', 'step', 'ts']);
      expect(line.ts).toBeGreaterThanOrEqual(before);
      expect(line.ts).toBeLessThanOrEqual(Date.now());
    }
  });

  it('writes NaN and ±Infinity as the strings of the metrics-file contract, and keeps other values exact', () => {
    const res = runNode(
      'sdk.log({ a: NaN, b: Infinity, c: -Infinity, d: 0.1 + 0.2, e: -0, f: 1e-300, g: 12345678901234 });',
      { env: { HYPERFLEET_METRICS_FILE: scratch.metricsFile } },
    );
    expect(res.status).toBe(0);
    const raw = readFileSync(scratch.metricsFile, 'utf8');
    expect(raw.endsWith('\n')).toBe(true);
    expect(raw.split('\n')).toHaveLength(2); // exactly one line
    expect(readMetricsLines(scratch.metricsFile)[0]?.metrics).toEqual({
      a: 'NaN',
      b: 'Infinity',
      c: '-Infinity',
      d: 0.30000000000000004,
      e: 0,
      f: 1e-300,
      g: 12345678901234,
    });
  });

  it('appends to an existing file instead of truncating it', () => {
    writeFileSync(scratch.metricsFile, '{"step":0,"metrics":{"x":1}}\n');
    const res = runNode('sdk.log({ x: 2 }, { step: 1 });', { env: { HYPERFLEET_METRICS_FILE: scratch.metricsFile } });
    expect(res.status).toBe(0);
    expect(readMetricsLines(scratch.metricsFile).map((l) => l.metrics.x)).toEqual([1, 2]);
  });

  it('has every line on disk when log() returns: a SIGKILL right after loses nothing', () => {
    const res = runNode(
      `for (let i = 0; i < 200; i++) sdk.log({ i, pad: i / 7 });
       process.kill(process.pid, 'SIGKILL');`,
      { env: { HYPERFLEET_METRICS_FILE: scratch.metricsFile } },
    );
    expect(res.signal).toBe('SIGKILL');
    const lines = readMetricsLines(scratch.metricsFile); // JSON.parse throws on a torn line
    expect(lines).toHaveLength(200);
    expect(lines.map((l) => l.step)).toEqual(lines.map((l) => l.metrics.i));
  });

  it('is importable as @hyperfleet/sdk under bare node (no tsx)', () => {
    // `node -e` resolves bare specifiers from the cwd: the repo root, like a script in examples/.
    const code = `import { log, params } from '@hyperfleet/sdk'; log({ ok: 1 }); console.log(JSON.stringify(params()));`;
    const res = spawnProgram(process.execPath, ['--input-type=module', '-e', code], {
      env: { HYPERFLEET_METRICS_FILE: scratch.metricsFile, HYPERFLEET_PARAMS: '{"lr":0.1}' },
      cwd: REPO_ROOT,
    });
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toEqual({ lr: 0.1 });
    expect(readMetricsLines(scratch.metricsFile)[0]?.metrics).toEqual({ ok: 1 });
  });
});

describe('log() without HYPERFLEET_METRICS_FILE', () => {
  it('prints step=N name=value pairs on stdout, one line per call, and writes no file', () => {
    const res = runNode(
      `sdk.log({ val_acc: 0.5, loss: 1.25 });
       sdk.log({ loss: NaN, up: Infinity, down: -Infinity });
       sdk.log({ val_acc: 0.9 }, { step: 7 });`,
      { cwd: scratch.dir },
    );
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(
      'step=0 val_acc=0.5 loss=1.25\nstep=1 loss=NaN up=Infinity down=-Infinity\nstep=7 val_acc=0.9\n',
    );
    expect(existsSync(scratch.metricsFile)).toBe(false);
  });
});

describe('log() input checks', () => {
  // These throw before any I/O, so they run in-process.
  it('rejects non-number metric values with a TypeError naming the metric', () => {
    expect(() => log({ acc: '0.9' as unknown as number })).toThrow(/metric "acc" must be a number, got string/);
    expect(() => log({ acc: true as unknown as number })).toThrow(TypeError);
  });

  it('rejects a negative, fractional or non-numeric step, and a non-object metrics argument', () => {
    expect(() => log({ a: 1 }, { step: -1 })).toThrow(/non-negative integer/);
    expect(() => log({ a: 1 }, { step: 1.5 })).toThrow(/non-negative integer/);
    expect(() => log({ a: 1 }, { step: Number.NaN })).toThrow(/non-negative integer/);
    expect(() => log(null as unknown as Record<string, number>)).toThrow(/must be an object/);
    expect(() => log([1] as unknown as Record<string, number>)).toThrow(/must be an object/);
  });

  it('a rejected call writes nothing and does not advance the step', () => {
    const res = runNode(
      `try { sdk.log({ a: 'x' }); } catch (e) { console.error(e.name); }
       sdk.log({ a: 1 });`,
      { env: { HYPERFLEET_METRICS_FILE: scratch.metricsFile } },
    );
    expect(res.stderr.trim()).toBe('TypeError');
    expect(readMetricsLines(scratch.metricsFile).map((l) => l.step)).toEqual([0]);
  });
});
