import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from './helpers/cli';
import { quadratic, writeSweep } from './helpers/sweep-file';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    // A zombie still answers kill(0); /proc says whether it is really running.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2]?.startsWith('Z');
  } catch {
    return false;
  }
}

it('SIGINT stops running trials (SIGTERM, then SIGKILL) and records every trial as finished or cancelled', async () => {
  const store = join(dir, 'hyperfleet.db');
  const file = writeSweep(dir, [
    'method: random',
    'run_cap: 10',
    'parallel: 2',
    `program: ${quadratic}`,
    'metric: {name: loss, goal: minimize}',
    'parameters:',
    '  x: {min: 0.0, max: 1.0}',
    '  sleep_ms: {value: 60000}',
  ]);
  const { child, result } = startCli(['run', file, '--store', store, '--kill-grace', '1'], { cwd: dir });
  // Wait until both slots run a trial, then interrupt like Ctrl-C would.
  const deadline = Date.now() + 30_000;
  let pids: number[] = [];
  while (Date.now() < deadline) {
    pids = trialPids(dir);
    if (pids.length === 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(pids).toHaveLength(2);
  child.kill('SIGINT');
  const res = await result;
  expect(res.code).toBe(130);
  expect(res.stdout).toMatch(/SIGINT: stopping running trials/);
  for (const pid of pids) expect(alive(pid)).toBe(false);
  const id = /^sweep (\S+):/m.exec(res.stdout)?.[1] ?? '';
  const show = await runCli(['show', id, '--json', '--store', store], { cwd: dir });
  const { sweep, trials } = JSON.parse(show.stdout);
  expect(sweep.status).toBe('cancelled');
  expect(trials).toHaveLength(2);
  for (const t of trials) expect(t).toMatchObject({ status: 'cancelled', reason: 'cancelled' });
});

/** PIDs of this test's trial processes: their environment names a trial and this test's directory. */
function trialPids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const ours = env.includes('HYPERFLEET_TRIAL_ID=') && env.includes(dir) && cmd.includes('quadratic.mjs');
      if (ours && alive(Number(entry))) pids.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return pids;
}
