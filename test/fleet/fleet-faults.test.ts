import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli';
import { Fleet, waitFor } from '../helpers/fleet';
import { PrivateRedis } from '../helpers/private-redis';
import { quadratic } from '../helpers/sweep-file';

// Faults the fleet must absorb without running anything twice or losing a result (issue 16).
let dir: string;
let fleet: Fleet | null = null;
let redis: PrivateRedis | null = null;

afterEach(async () => {
  await fleet?.close();
  await redis?.kill();
  fleet = null;
  redis = null;
  rmSync(dir, { recursive: true, force: true });
});

/** Trial id → how many times its program started (each run appends a line to the file). */
function runsPerTrial(ranLog: string): Map<string, number> {
  const runs = new Map<string, number>();
  for (const line of readFileSync(ranLog, 'utf8').split('\n').filter(Boolean)) {
    const id = line.split(' ')[0] ?? '';
    runs.set(id, (runs.get(id) ?? 0) + 1);
  }
  return runs;
}

function sweep(ranLog: string, sleepMs: number, xs: number[], extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    method: 'grid',
    program: quadratic,
    metric: { name: 'loss', goal: 'minimize' },
    parallel: xs.length,
    parameters: { x: { values: xs }, sleep_ms: { value: sleepMs }, ran_log: { value: ranLog } },
  };
}

describe('fleet faults', () => {
  it('Redis restarted empty mid-sweep: the running trial runs once and keeps its result; the queued one runs under a new attempt', async () => {
    dir = tempDir('hf-faults-');
    redis = new PrivateRedis();
    await redis.start();
    fleet = new Fleet(dir, redis.url, { serverArgs: ['--lost-after', '4'], privateRedis: true });
    await fleet.start();
    // The operator is told what a Redis restart costs: at start-up and in /readyz.
    const ready = (await (await fetch(`${fleet.url}/readyz`)).json()) as Record<string, unknown>;
    expect(ready.redisPersistence).toMatchObject({ persistence: 'none', atRisk: /loses the whole queue/ });
    const startup = await waitFor('the start-up lines', async () => {
      const text = fleet!.logs.join('\n');
      return /redis persistence: none/.test(text) && text;
    });
    expect(startup).toMatch(/WARNING: .*Turn on AOF/);
    fleet.startAgent('a', 1);
    fleet.startAgent('frozen', 1);
    await waitFor(
      'two agents',
      async () => (await fleet!.api<{ agents: unknown[] }>('/api/agents')).agents.length === 2,
    );
    // Fair share enqueues a job only into a free slot: the frozen agent's slot (still heard from, within
    // --lost-after) is one, so the second trial's job waits in Redis, where nobody takes it.
    fleet.signalAgent('frozen', 'SIGSTOP');
    const ranLog = join(dir, 'ran.log');
    writeFileSync(ranLog, '');
    // No retries: a job that vanished before it started costs none (it ran nothing).
    const id = await fleet.submit(sweep(ranLog, 6000, [0.1, 0.2], { retries: 0 }));
    const running = await waitFor('one trial running, one queued', async () => {
      const { trials } = await fleet!.sweep(id);
      return trials.length === 2 && trials.find((t) => t.status === 'running');
    });
    await redis.restartEmpty();
    fleet.killAgent('frozen');
    const { sweep: ended, trials } = await fleet.waitForSweepEnd(id, 90_000);
    expect(ended.status).toBe('finished');
    const runs = runsPerTrial(ranLog);
    for (const t of trials) {
      expect(t.status, `trial ${t.id}`).toBe('succeeded');
      expect(runs.get(t.id), `runs of trial ${t.id}`).toBe(1);
    }
    const survivor = trials.find((t) => t.id === running.id);
    expect(survivor?.attempts).toBe(1);
    const requeued = trials.find((t) => t.id !== running.id);
    expect(requeued?.attempts).toBe(2); // its job vanished with Redis: a new attempt, never the same job twice
  }, 150_000);

  it('an agent killed mid-trial is noticed by its missing heartbeats within the window, not the queue stall timer', async () => {
    dir = tempDir('hf-faults-');
    // Production queue timers: a 30 s lock, checked every 15 s. Only the heartbeats can notice within 4 s.
    fleet = new Fleet(dir, undefined, {
      serverArgs: ['--lost-after', '4'],
      env: { HYPERFLEET_LOCK_MS: '30000', HYPERFLEET_STALLED_INTERVAL_MS: '15000' },
    });
    await fleet.start();
    fleet.startAgent('doomed', 1);
    const ranLog = join(dir, 'ran.log');
    writeFileSync(ranLog, '');
    const id = await fleet.submit(sweep(ranLog, 20_000, [0.1]));
    const trial = await waitFor('the trial running', async () =>
      (await fleet!.sweep(id)).trials.find((t) => t.status === 'running'),
    );
    fleet.killAgent('doomed');
    const killedAt = Date.now();
    await waitFor(
      'attempt 1 lost',
      async () => (await fleet!.attempts(trial.id)).find((a) => a.status === 'lost' || a.status === 'failed'),
      40_000,
    );
    const noticedMs = Date.now() - killedAt;
    const [first] = await fleet.attempts(trial.id);
    expect(first?.reason).toMatch(/stopped heartbeating/);
    expect(noticedMs).toBeLessThan(9_000); // window 4 s + a 1 s check + polling; the stall timer takes 30–45 s
  }, 120_000);

  it('an agent frozen for less than the window loses nothing', async () => {
    dir = tempDir('hf-faults-');
    fleet = new Fleet(dir, undefined, {
      serverArgs: ['--lost-after', '5'],
      env: { HYPERFLEET_LOCK_MS: '30000', HYPERFLEET_STALLED_INTERVAL_MS: '15000' },
    });
    await fleet.start();
    fleet.startAgent('sleepy', 1);
    const ranLog = join(dir, 'ran.log');
    writeFileSync(ranLog, '');
    const id = await fleet.submit(sweep(ranLog, 6000, [0.1]));
    await waitFor('the trial running', async () => (await fleet!.sweep(id)).trials.find((t) => t.status === 'running'));
    fleet.signalAgent('sleepy', 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 2500));
    fleet.signalAgent('sleepy', 'SIGCONT');
    const { trials } = await fleet.waitForSweepEnd(id, 60_000);
    expect(trials[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect([...runsPerTrial(ranLog).values()]).toEqual([1]);
  }, 120_000);
});
