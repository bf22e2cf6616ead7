import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createRedisTransport, type Transport } from '@hyperfleet/transport';
import { deleteKeysUnder } from '@hyperfleet/transport/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  collectReports,
  type FakeController,
  finishedOf,
  makeWorkDir,
  nodeJob,
  startFakeController,
  WORKER_TOKEN,
  waitFor,
} from './test-helpers';

// `hyperfleet agent` as a user runs it: the real CLI binary, the real Redis, a local stand-in controller.
const BIN = join(import.meta.dirname, '..', '..', '..', 'apps', 'cli', 'bin', 'hyperfleet.js');
const REDIS_URL = process.env.HYPERFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';

let ctl: FakeController;
let controllerSide: Transport;
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let prefix: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  prefix = `hf-test-cli-${randomBytes(4).toString('hex')}`;
  ctl = await startFakeController({ redisUrl: REDIS_URL, queuePrefix: prefix });
  controllerSide = createRedisTransport({ url: REDIS_URL, prefix, reports: { blockMs: 200 } });
  work = await makeWorkDir();
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await controllerSide.close();
  await ctl.close();
  await deleteKeysUnder(REDIS_URL, prefix);
  await work.cleanup();
});

function cli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'agent', '--server', ctl.url, '--work-dir', work.dir, ...args], {
    cwd: work.dir,
    env: { ...process.env, HYPERFLEET_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('hyperfleet agent (CLI)', () => {
  it('a wrong token: exits 1 with a clear message and never prints the token', async () => {
    const run = cli(['--token', 'wrong-secret-123']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('the server refused the token: check --token / HYPERFLEET_TOKEN');
    expect(run.output()).not.toContain('wrong-secret-123');
  }, 30_000);

  it('no token at all is a usage error (exit 2)', async () => {
    const run = cli([]);
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('no token: pass --token or set HYPERFLEET_TOKEN');
  }, 30_000);

  it('--allow-secret refuses the agent’s own settings and bad names, and is for this machine only (exit 2)', async () => {
    const own = cli(['--allow-secret', 'HF_TOKEN,HYPERFLEET_TOKEN'], { HYPERFLEET_TOKEN: WORKER_TOKEN });
    expect(await own.exited).toBe(2);
    expect(own.output()).toContain(
      "HYPERFLEET_TOKEN cannot be allowed as a secret: HYPERFLEET_* are the agent's own settings",
    );
    const fromEnv = cli([], { HYPERFLEET_TOKEN: WORKER_TOKEN, HYPERFLEET_ALLOWED_SECRETS: 'HF-TOKEN' });
    expect(await fromEnv.exited).toBe(2);
    expect(fromEnv.output()).toContain('secret name "HF-TOKEN" is not an environment variable name');
    const k8s = cli(['--executor', 'kubernetes', '--allow-secret', 'HF_TOKEN'], { HYPERFLEET_TOKEN: WORKER_TOKEN });
    expect(await k8s.exited).toBe(2);
    expect(k8s.output()).toContain('map each name with --secret-env HF_TOKEN=<secret>/<key>');
    expect(own.output() + fromEnv.output() + k8s.output()).not.toContain(WORKER_TOKEN);
  });

  it('--count 1 with the token from HYPERFLEET_TOKEN: runs one trial from the Redis queue and exits 0', async () => {
    const sweep = 'sw-cli-count';
    const stream = collectReports(controllerSide, sweep);
    const first = nodeJob(sweep, "console.log('acc=0.5')", { pool: 'cli' });
    const second = nodeJob(sweep, "console.log('acc=0.6')", { pool: 'cli' });
    await controllerSide.queue.enqueue(first);
    await controllerSide.queue.enqueue(second);
    const run = cli(['--pool', 'cli', '--count', '1', '--slots', '2'], { HYPERFLEET_TOKEN: WORKER_TOKEN });
    expect(await run.exited).toBe(0);
    await waitFor(() => finishedOf(stream.reports, first.trialId));
    expect(finishedOf(stream.reports, first.trialId)?.result).toMatchObject({
      outcome: 'exited',
      finalMetrics: { acc: 0.5 },
    });
    expect((await controllerSide.queue.state('cli', second.trialId, 1)).state).toBe('waiting');
    expect(run.output()).toContain('took 1 trial(s) (--count): exiting');
    expect(run.output()).not.toContain(WORKER_TOKEN);
    await stream.close();
  }, 30_000);

  it('SIGTERM drains: the running trial finishes, nothing new is taken, exit 0', async () => {
    const sweep = 'sw-cli-drain';
    const stream = collectReports(controllerSide, sweep);
    const running = nodeJob(sweep, "setTimeout(() => console.log('acc=1'), 1500)");
    const run = cli(['--token', WORKER_TOKEN, '--drain-timeout', '20']);
    await waitFor(() => ctl.registrations.length === 1, 20_000);
    await controllerSide.queue.enqueue(running);
    await waitFor(() => stream.of(running.trialId).length > 0);
    run.child.kill('SIGTERM');
    const waiting = nodeJob(sweep, 'process.exit(0)');
    await controllerSide.queue.enqueue(waiting);
    expect(await run.exited).toBe(0);
    await waitFor(() => finishedOf(stream.reports, running.trialId));
    expect(finishedOf(stream.reports, running.trialId)?.result, run.output()).toMatchObject({
      outcome: 'exited',
      exitCode: 0,
    });
    expect((await controllerSide.queue.state('default', waiting.trialId, 1)).state).toBe('waiting');
    expect(run.output()).toContain('SIGTERM: draining');
    await stream.close();
  }, 30_000);
});
