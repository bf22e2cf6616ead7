import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli';
import { Fleet, freePort, waitFor } from '../helpers/fleet';

// A controller or agent must stop when told to even if Redis is gone: a process manager that waits for it
// (systemd, Kubernetes) would otherwise wait out its whole grace period and then kill it.
let dir: string;
let fleet: Fleet | null = null;
let redis: ChildProcess | null = null;

afterEach(async () => {
  redis?.kill('SIGKILL');
  // The private Redis is gone with its keys: only the Postgres schema is left to drop.
  await fleet?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

it('the agent and the server exit on SIGTERM within a grace period after their Redis went away', async () => {
  dir = tempDir('hf-fleet-');
  const port = await freePort();
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const redisUrl = `redis://127.0.0.1:${port}`;
  const ping = () => execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim();
  await waitFor('the private Redis', async () => ping() === 'PONG', 10_000);
  fleet = new Fleet(dir, redisUrl);
  await fleet.start();
  const agent = fleet.startAgent('a');
  await waitFor('the agent', async () => (await fleet?.api<{ agents: unknown[] }>('/api/agents'))?.agents.length === 1);
  redis.kill('SIGKILL');
  await waitFor('the server to notice', async () => fleet?.logs.some((l) => /ECONNREFUSED/.test(l)), 20_000);
  const agentExit = new Promise<number>((resolve) => agent.once('exit', () => resolve(Date.now())));
  const t0 = Date.now();
  agent.kill('SIGTERM');
  // Kubernetes' default grace period. The agent's closing steps wait for Redis, each bounded: it took 17 s here.
  const agentMs = await Promise.race([agentExit.then((t) => t - t0), sleep(30_000).then(() => null)]);
  expect(agentMs, `the agent still ran 30 s after SIGTERM:\n${fleet.logs.slice(-20).join('\n')}`).not.toBeNull();
  const ms = await fleet.terminateServer(20_000);
  expect(ms, `the server still ran 20 s after SIGTERM:\n${fleet.logs.slice(-20).join('\n')}`).not.toBeNull();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
