import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli';
import { writeSweep } from './helpers/sweep-file';

// Issue 16, item 3 through the real CLI: one source per metric, non-finite values never best, dropped points told.
const fixture = resolve(import.meta.dirname, 'fixtures', 'metric-sources.mjs');
const dir = tempDir();
const store = join(dir, 'hyperfleet.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = async (...args: string[]) => {
  const res = await runCli([...args, '--store', store], { cwd: dir });
  expect(res.code, res.stderr).toBe(0);
  return res.stdout;
};

it('SDK + stdout trial keeps only the SDK points; -Infinity never ranks best; dropped points are shown', async () => {
  const file = writeSweep(dir, [
    'method: grid',
    `program: ${fixture}`,
    'metric: {name: loss, goal: minimize}',
    'parameters:',
    '  mode: {values: [neg-inf, sdk-and-stdout, bad-steps]}',
  ]);
  const run = await runCli(['run', file, '--store', store], { cwd: dir });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const id = /^sweep (\S+):/m.exec(run.stdout)?.[1] ?? '';
  const { trials } = JSON.parse(await cli('show', id, '--json'));
  const byMode = (mode: string) => trials.find((t: { params: { mode: string } }) => t.params.mode === mode);

  // 1. Exactly 20 points of `loss` with the SDK's exact values: no stdout copy, no `lr`/`width` from the banner.
  const sdk = JSON.parse(await cli('show', byMode('sdk-and-stdout').id, '--json'));
  expect(sdk.metrics).toEqual([
    expect.objectContaining({ key: 'loss', count: 20, lastStep: 19, last: 1 / (19 + 1.2345678) }),
  ]);
  expect(sdk.metrics[0].min).toBe(1 / (19 + 1.2345678));

  // 2. The -Infinity trial ranks after every finite one, in `show` and as the best in `ls`.
  expect(trials.map((t: { params: { mode: string } }) => t.params.mode)).toEqual([
    'sdk-and-stdout',
    'bad-steps',
    'neg-inf',
  ]);
  expect(byMode('neg-inf').metricValue).toBe('-Infinity'); // stored (data), in JSON by its name
  const ls = await cli('ls');
  expect(ls).toContain(`loss=${Number((1 / (19 + 1.2345678)).toPrecision(5))}`);
  expect(ls).not.toContain('Infinity');
  const table = await cli('show', id);
  expect(table).toMatch(/-Infinity/);

  // 3. Points at step -1 and 2^53+10 are counted in the trial's record and shown.
  const bad = await cli('show', byMode('bad-steps').id);
  expect(bad).toContain('dropped   3 points dropped: step < 0');
  expect(bad).toContain('dropped   1 point dropped: step > 1e+12');
  expect(JSON.parse(await cli('show', byMode('bad-steps').id, '--json')).trial.droppedPoints).toEqual({
    step_negative: 3,
    step_too_large: 1,
  });
});
