import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli';
import { quadratic, writeSweep } from './helpers/sweep-file';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function trialsOf(seed: number, parallel: number) {
  const store = join(dir, 'hyperfleet.db');
  const file = writeSweep(dir, [
    'method: random',
    'run_cap: 6',
    `program: ${quadratic}`,
    'metric: {name: loss, goal: minimize}',
    'parameters:',
    '  x: {min: 0.0, max: 1.0}',
    '  opt: {values: [sgd, adam, rmsprop]}',
  ]);
  const run = await runCli(['run', file, '--store', store, '--seed', String(seed), '--parallel', String(parallel)], {
    cwd: dir,
  });
  expect(run.code).toBe(0);
  const id = /^sweep (\S+):/m.exec(run.stdout)?.[1] ?? '';
  const show = await runCli(['show', id, '--json', '--store', store], { cwd: dir });
  const { sweep, trials } = JSON.parse(show.stdout);
  expect(sweep.seed).toBe(seed);
  return trials
    .map((t: { index: number; params: unknown; seed: number; metricValue: number }) => [
      t.index,
      t.params,
      t.seed,
      t.metricValue,
    ])
    .sort((a: [number], b: [number]) => a[0] - b[0]);
}

it('--seed makes a run reproducible trial for trial, whatever the parallelism', async () => {
  const a = await trialsOf(11, 2);
  const b = await trialsOf(11, 3);
  const c = await trialsOf(12, 2);
  expect(b).toEqual(a);
  expect(c).not.toEqual(a);
});
