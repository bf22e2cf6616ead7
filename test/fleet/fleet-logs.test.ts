import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../helpers/cli';
import { ADMIN, Fleet, waitFor } from '../helpers/fleet';
import { quadratic } from '../helpers/sweep-file';

// The fleet CLI as scripts use it, against a real server and agent: `logs -f` ends soon after its trial does, a
// reader that goes away (`| head`) ends a command quietly, and `sweep pause|resume|stop|cancel` print the state
// their action leads to.
let dir: string;
let fleet: Fleet;
let trialId = '';

beforeAll(async () => {
  dir = tempDir('hf-fleet-logs-');
  fleet = new Fleet(dir);
  await fleet.start();
  fleet.startAgent('a');
  const sweepId = await fleet.submit({
    method: 'grid',
    program: quadratic,
    metric: { name: 'loss', goal: 'minimize' },
    parameters: { x: { value: 0.5 }, sleep_ms: { value: 3000 }, log_lines: { value: 20000 } },
  });
  trialId = `${sweepId}-0`;
  await waitFor('the trial to run', async () => (await fleet.sweep(sweepId)).trials[0]?.status === 'running', 60_000);
}, 120_000);

afterAll(async () => {
  await fleet?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ HYPERFLEET_TOKEN: ADMIN });

it('logs -f follows a running trial and exits within about a second of its end', async () => {
  const r = await runCli(['logs', trialId, '-f', '--server', fleet.url], { cwd: dir, env: env() });
  const exitedAt = Date.now();
  expect(r.code, r.stderr).toBe(0);
  const { trial } = await fleet.api<{ trial: { status: string; endedAt: number } }>(`/api/trials/${trialId}`);
  expect(trial.status).toBe('succeeded');
  expect(r.stdout).toMatch(/loss=/);
  // One quiet poll (1 s) plus a status read after the end; the 10 s poll it replaced exited 7–10 s late.
  expect(exitedAt - trial.endedAt).toBeLessThan(4_000);
}, 60_000);

it('logs | head: the reader going away ends the command quietly with 0', async () => {
  const { child, result } = startCli(['logs', trialId, '--server', fleet.url], { cwd: dir, env: env() });
  child.stdout?.once('data', () => child.stdout?.destroy());
  const r = await result;
  expect(r).toMatchObject({ code: 0, stderr: '' });
}, 60_000);

it('sweep pause, resume, stop and cancel print the state their action leads to, not the `running` they still read', async () => {
  const slow = (runCap: number) =>
    fleet.submit({
      method: 'random',
      run_cap: runCap,
      parallel: 1,
      program: quadratic,
      metric: { name: 'loss', goal: 'minimize' },
      parameters: { x: { min: 0, max: 1 }, sleep_ms: { value: 60_000 } },
    });
  const action = async (verb: string, id: string) => {
    const r = await runCli(['sweep', verb, id, '--server', fleet.url], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  const running = async (id: string) =>
    waitFor(
      `a trial of ${id} to run`,
      async () => (await fleet.sweep(id)).trials.some((t) => t.status === 'running'),
      60_000,
    );

  const a = await slow(3);
  await running(a);
  expect(await action('pause', a)).toBe(`sweep ${a}: paused`);
  expect(await action('resume', a)).toBe(`sweep ${a}: running`);
  expect(await action('stop', a)).toBe(`sweep ${a}: stopping: no new trials; 1 running trial(s) finish first`);
  // Cancel stops the running trial (SIGTERM) and waits for the sweep to end.
  expect(await action('cancel', a)).toMatch(new RegExp(`^sweep ${a}: cancelled`));
  expect((await fleet.sweep(a)).sweep.status).toBe('cancelled');
}, 120_000);
