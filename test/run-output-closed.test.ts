import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from './helpers/cli';
import { quadratic, writeSweep } from './helpers/sweep-file';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('`run | head -2`: at its next line a closed stdout cancels the trials as Ctrl-C does, records them, no stack trace', async () => {
  const store = join(dir, 'hyperfleet.db');
  const file = writeSweep(dir, [
    'method: random',
    'run_cap: 6',
    'parallel: 2',
    `program: ${quadratic}`,
    'metric: {name: loss, goal: minimize}',
    'parameters:',
    '  x: {min: 0.0, max: 1.0}',
    '  sleep_ms: {value: 2000}',
  ]);
  const { child, result } = startCli(['run', file, '--store', store, '--kill-grace', '1'], { cwd: dir });
  // The reader goes away after the header line, while both slots run a trial. Nothing notices until the next
  // line is written (a trial ending): that write fails with EPIPE.
  let header = '';
  await new Promise<void>((done) => {
    const onData = (d: Buffer) => {
      header += d.toString();
      if (/^sweep (\S+):/m.test(header)) {
        child.stdout?.off('data', onData);
        done();
      }
    };
    child.stdout?.on('data', onData);
  });
  const id = /^sweep (\S+):/m.exec(header)?.[1] ?? '';
  child.stdout?.destroy();
  const res = await result;
  expect(res.code).toBe(130);
  expect(res.stderr).toMatch(/output closed: stopping running trials/);
  expect(res.stderr).not.toMatch(/EPIPE|\n\s+at /);
  const show = await runCli(['show', id, '--json', '--store', store], { cwd: dir });
  const { sweep, trials } = JSON.parse(show.stdout) as {
    sweep: { status: string; reason: string };
    trials: Array<{ status: string }>;
  };
  expect(sweep).toMatchObject({ status: 'cancelled', reason: 'interrupted (output closed)' });
  // The trials whose end was written (into the closed pipe) succeeded; every other one was cancelled, none is left.
  expect(trials.filter((t) => t.status === 'cancelled').length).toBeGreaterThan(0);
  for (const t of trials) expect(['succeeded', 'cancelled']).toContain(t.status);
});
