import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli';
import { quadratic, writeSweep } from './helpers/sweep-file';

let dir: string;
let store: string;
beforeEach(() => {
  dir = tempDir();
  store = join(dir, 'db', 'hyperfleet.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function showJson(id: string) {
  const res = await runCli(['show', id, '--json', '--store', store], { cwd: dir });
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout);
}

function sweepIdOf(stdout: string): string {
  const id = /^sweep (\S+):/m.exec(stdout)?.[1];
  if (!id) throw new Error(`no sweep id in:\n${stdout}`);
  return id;
}

describe('a bad config is rejected before anything runs', () => {
  const cases: [string, string[], RegExp[]][] = [
    ['invalid YAML', ['method: random', 'parameters:', '  x: {min: 0, max: 1', 'run_cap: 2'], [/line \d+/i]],
    [
      'an unknown top-level key',
      ['method: random', 'run_cap: 2', 'paramters:', '  x: {values: [1]}'],
      [/paramters/, /did you mean `parameters`\?/],
    ],
    ['min > max', ['method: random', 'run_cap: 2', 'parameters:', '  x: {min: 5, max: 1}'], [/parameters\.x/, /min/]],
    [
      'a categorical with no values',
      ['method: random', 'run_cap: 2', 'parameters:', '  x: {values: []}'],
      [/parameters\.x/, /values/],
    ],
    [
      'probabilities that do not sum to 1',
      ['method: random', 'run_cap: 2', 'parameters:', '  x: {values: [1, 2], probabilities: [0.5, 0.2]}'],
      [/parameters\.x/, /sum to 1/],
    ],
    [
      'grid over a continuous range',
      ['method: grid', 'parameters:', '  lr: {min: 0.001, max: 0.1}'],
      [/parameters\.lr/, /grid/],
    ],
    [
      'log_uniform with value bounds',
      ['method: random', 'run_cap: 2', 'parameters:', '  lr: {distribution: log_uniform, min: 0.0001, max: 0.1}'],
      [/exponents of e/, /log_uniform_values/],
    ],
  ];

  for (const [name, lines, patterns] of cases) {
    it(`${name}: validate and run exit 2 with a message naming the problem; nothing is stored`, async () => {
      const file = writeSweep(dir, [...lines, `program: ${quadratic}`]);
      const validate = await runCli(['validate', file], { cwd: dir });
      expect(validate.code).toBe(2);
      for (const p of patterns) expect(validate.stderr).toMatch(p);
      const run = await runCli(['run', file, '--store', store], { cwd: dir });
      expect(run.code).toBe(2);
      for (const p of patterns) expect(run.stderr).toMatch(p);
      expect(existsSync(store)).toBe(false);
    });
  }

  it('reports every problem at once', async () => {
    const file = writeSweep(dir, [
      'method: random',
      'paralel: 2',
      'parameters:',
      '  a: {min: 5, max: 1}',
      '  b: {values: []}',
    ]);
    const res = await runCli(['validate', file], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/paralel/);
    expect(res.stderr).toMatch(/parameters\.a/);
    expect(res.stderr).toMatch(/parameters\.b/);
  });

  it('random search with no run_cap and no --count is refused with the fix', async () => {
    const file = writeSweep(dir, [
      'method: random',
      `program: ${quadratic}`,
      'parameters:',
      '  x: {min: 0.0, max: 1.0}',
    ]);
    const res = await runCli(['run', file, '--store', store], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('set run_cap in the sweep config or pass --count N');
  });
});

describe('failures are recorded, not lost', () => {
  it('a program that does not exist: trials fail with the OS error, the breaker stops the sweep, exit 1', async () => {
    const file = writeSweep(dir, [
      'method: random',
      'run_cap: 10',
      'parallel: 1',
      'command: [./no-such-program, "${args}"]',
      'parameters:',
      '  x: {min: 0.0, max: 1.0}',
    ]);
    const res = await runCli(['run', file, '--store', store], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/failed the same way: .*ENOENT/);
    const { sweep, trials } = await showJson(sweepIdOf(res.stdout));
    expect(sweep.status).toBe('failed');
    expect(trials).toHaveLength(3);
    for (const t of trials) {
      expect(t.status).toBe('failed');
      expect(t.reason).toMatch(/ENOENT/);
    }
  });

  it('a trial that crashes is recorded failed with its exit code; the others still run', async () => {
    const file = writeSweep(dir, [
      'method: grid',
      `program: ${quadratic}`,
      'metric: {name: loss, goal: minimize}',
      'parameters:',
      '  mode: {values: [normal, crash]}',
      '  x: {values: [0.1, 0.3]}',
    ]);
    const res = await runCli(['run', file, '--store', store], { cwd: dir });
    expect(res.code).toBe(0);
    const { trials } = await showJson(sweepIdOf(res.stdout));
    expect(trials.map((t: { status: string }) => t.status).sort()).toEqual([
      'failed',
      'failed',
      'succeeded',
      'succeeded',
    ]);
    expect(trials.filter((t: { exitCode: number }) => t.exitCode === 3)).toHaveLength(2);
    expect(trials[0].params).toEqual({ mode: 'normal', x: 0.3 });
  });

  it('a metric that is never reported: the trial finishes with "no metric" and ranks last', async () => {
    const file = writeSweep(dir, [
      'method: grid',
      `program: ${quadratic}`,
      'metric: {name: loss, goal: minimize}',
      'parameters:',
      '  mode: {values: [silent, normal]}',
    ]);
    const res = await runCli(['run', file, '--store', store], { cwd: dir });
    expect(res.code).toBe(0);
    const { trials } = await showJson(sweepIdOf(res.stdout));
    expect(trials[0].params.mode).toBe('normal');
    expect(trials[1]).toMatchObject({
      status: 'succeeded',
      metricValue: null,
      reason: 'no metric: loss was never reported',
    });
  });

  it('NaN and ±Infinity values are kept and rank below real numbers', async () => {
    const file = writeSweep(dir, [
      'method: grid',
      `program: ${quadratic}`,
      'metric: {name: loss, goal: minimize}',
      'parameters:',
      '  mode: {values: [nan, normal]}',
    ]);
    const res = await runCli(['run', file, '--store', store], { cwd: dir });
    expect(res.code).toBe(0);
    const sweepId = sweepIdOf(res.stdout);
    const { trials } = await showJson(sweepId);
    expect(trials[0].params.mode).toBe('normal');
    const exported = await runCli(['export', sweepId, '--format', 'json', '--store', store], { cwd: dir });
    const nanTrial = JSON.parse(exported.stdout).trials[1];
    const loss = nanTrial.summaries.find((s: { key: string }) => s.key === 'loss');
    expect(loss.count).toBe(3);
  });

  it('non-UTF-8 bytes and a 10 MB line on stdout do not stop metric collection', async () => {
    const file = writeSweep(dir, [
      'method: grid',
      `program: ${quadratic}`,
      'metric: {name: loss, goal: minimize}',
      'parameters:',
      '  mode: {values: [huge-line, binary]}',
    ]);
    const res = await runCli(['run', file, '--store', store], { cwd: dir });
    expect(res.code).toBe(0);
    const { trials } = await showJson(sweepIdOf(res.stdout));
    const byMode = Object.fromEntries(trials.map((t: { params: { mode: string } }) => [t.params.mode, t]));
    expect(byMode['huge-line']).toMatchObject({ status: 'succeeded', metricValue: 0.5 });
    expect(byMode.binary).toMatchObject({ status: 'succeeded', metricValue: 1 });
  });

  it('a store path that is not writable: a clear error naming the path, exit 1', async () => {
    const file = writeSweep(dir, ['method: grid', `program: ${quadratic}`, 'parameters:', '  x: {values: [1]}']);
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'a file where a directory should be');
    const res = await runCli(['run', file, '--store', join(blocker, 'hyperfleet.db')], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(blocker);
    expect(res.stderr).toMatch(/--store/);
  });
});
