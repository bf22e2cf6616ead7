import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRedisTransport } from '@hyperfleet/transport';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli';
import { Fleet, waitFor } from '../helpers/fleet';
import { PG_URL } from '../helpers/postgres';
import { quadratic } from '../helpers/sweep-file';

// Fleet mode end to end: the real `hyperfleet server` and `hyperfleet agent` processes, Redis and Postgres.
let dir: string;
let fleet: Fleet;

function sweepConfig(extra: Record<string, unknown>) {
  return {
    method: 'grid',
    program: quadratic,
    metric: { name: 'loss', goal: 'minimize' },
    parallel: 3,
    ...extra,
  };
}

async function start(redisUrl?: string) {
  dir = tempDir('hf-fleet-');
  fleet = new Fleet(dir, redisUrl);
  await fleet.start();
}

afterEach(async () => {
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectEachTrialEndedOnce(trials: { status: string; params: Record<string, unknown> }[], n: number) {
  expect(trials).toHaveLength(n);
  expect(new Set(trials.map((t) => JSON.stringify(t.params))).size).toBe(n);
  for (const t of trials) expect(t.status).toBe('succeeded');
}

describe('fleet mode', () => {
  beforeEach(async () => start());

  it('a three-agent sweep spreads its trials over the agents and ends every trial exactly once', async () => {
    for (const name of ['a', 'b', 'c']) fleet.startAgent(name);
    await waitFor(
      'three agents',
      async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === 3,
    );
    const id = await fleet.submit(
      sweepConfig({
        parameters: { x: { values: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] }, sleep_ms: { value: 400 } },
      }),
    );
    const { sweep, trials } = await fleet.waitForSweepEnd(id);
    expect(sweep).toMatchObject({ status: 'finished', reason: 'search space exhausted' });
    expectEachTrialEndedOnce(trials, 9);
    const workers = new Set<string | null>();
    for (const t of trials) {
      const attempts = await fleet.attempts(t.id);
      expect(attempts).toHaveLength(1);
      workers.add(attempts[0]?.worker ?? null);
    }
    expect(workers.size).toBeGreaterThanOrEqual(2);
    expect(trials[0]?.params.x).toBe(0.3); // ranked best first by loss
  });

  it('an agent killed mid-trial: the attempt is lost, the trial re-runs on another agent as attempt 2, ends once', async () => {
    fleet.startAgent('doomed', 2);
    const id = await fleet.submit(
      sweepConfig({ parallel: 2, parameters: { x: { values: [0.1, 0.2] }, sleep_ms: { value: 3000 } } }),
    );
    await waitFor('both trials running on the doomed agent', async () => {
      const { trials } = await fleet.sweep(id);
      return trials.length === 2 && trials.every((t) => t.status === 'running');
    });
    await new Promise((r) => setTimeout(r, 700)); // let the first metric batch reach the store
    fleet.startAgent('survivor', 2);
    fleet.killAgent('doomed');
    const { sweep, trials } = await fleet.waitForSweepEnd(id);
    expect(sweep.status).toBe('finished');
    expectEachTrialEndedOnce(trials, 2);
    for (const t of trials) {
      const attempts = await fleet.attempts(t.id);
      expect(attempts.map((a) => [a.attempt, a.status, a.worker])).toEqual([
        [1, 'failed', fleet.agentId('doomed')],
        [2, 'succeeded', fleet.agentId('survivor')],
      ]);
      expect(attempts[0]?.reason).toMatch(/lost/);
    }
    // The dead attempt's metrics are kept, marked with its attempt number.
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT DISTINCT attempt FROM "${fleet.schemaName}".archived_metric_points`);
      expect(rows.map((r) => Number(r.attempt))).toEqual([1]);
    } finally {
      await client.end();
    }
  });

  it('the controller killed and restarted mid-sweep: the sweep continues, no trial duplicated, none lost', async () => {
    fleet.startAgent('a', 2);
    const values = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
    const id = await fleet.submit(
      sweepConfig({ parallel: 2, parameters: { x: { values }, sleep_ms: { value: 800 } } }),
    );
    await waitFor(
      'two finished trials',
      async () => (await fleet.sweep(id)).trials.filter((t) => t.status === 'succeeded').length >= 2,
    );
    fleet.killServer();
    await new Promise((r) => setTimeout(r, 1500)); // agents keep running trials and reporting meanwhile
    await fleet.startServer();
    const { sweep, trials } = await fleet.waitForSweepEnd(id);
    expect(sweep.status).toBe('finished');
    expectEachTrialEndedOnce(trials, values.length);
    for (const t of trials) expect(await fleet.attempts(t.id)).toHaveLength(1);
  });

  it('a metric batch delivered twice is stored once', async () => {
    fleet.startAgent('a', 1);
    const id = await fleet.submit(
      sweepConfig({ parallel: 1, parameters: { x: { values: [0.2] }, sleep_ms: { value: 4000 } } }),
    );
    const trialId = `${id}-0`;
    await waitFor('the trial to run', async () => (await fleet.sweep(id)).trials[0]?.status === 'running');
    // Published as agent a publishes (its Redis user, its signature): only the attempt's holder may report on it.
    const grant = await fleet.registerAs('a');
    const transport = createRedisTransport({
      url: grant.redisUrl,
      prefix: fleet.prefix,
      signer: { sender: grant.agentId, key: Buffer.from(grant.reportKey, 'hex') },
    });
    try {
      const points = Array.from({ length: 50 }, (_, step) => ({
        key: 'dup',
        step,
        value: step / 10,
        timestamp: Date.now(),
      }));
      const batch = [{ type: 'metrics' as const, trialId, attempt: 1, points }];
      await transport.reports.publish(id, batch);
      await transport.reports.publish(id, batch);
    } finally {
      await transport.close();
    }
    await fleet.waitForSweepEnd(id);
    const { points } = await fleet.api<{ points: unknown[] }>(`/api/trials/${trialId}/metrics?key=dup`);
    expect(points).toHaveLength(50);
    const { summaries } = await fleet.api<{ summaries: { key: string; count: number }[] }>(`/api/trials/${trialId}`);
    expect(summaries.find((s) => s.key === 'dup')?.count).toBe(50);
  });

  it('eight agents started at the same instant on a grid sweep: each takes a different trial, none runs twice', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (const name of names) fleet.startAgent(name);
    await waitFor(
      'eight agents',
      async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === 8,
    );
    const values = Array.from({ length: 16 }, (_, i) => i / 16);
    const id = await fleet.submit(
      sweepConfig({ parallel: 8, parameters: { x: { values }, sleep_ms: { value: 300 } } }),
    );
    const { trials } = await fleet.waitForSweepEnd(id, 120_000);
    expectEachTrialEndedOnce(trials, 16);
    const firstWave = new Set<string | null>();
    for (const t of trials) {
      const attempts = await fleet.attempts(t.id);
      expect(attempts).toHaveLength(1);
      if (Number(t.id.split('-').at(-1)) < 8) firstWave.add(attempts[0]?.worker ?? null);
    }
    expect(firstWave.size).toBe(8); // the first eight trials went to eight different agents
  });
});

describe('fleet mode on a Redis that loses everything', () => {
  // Its own logical database, so flushing it touches nothing else on this Redis.
  const redisUrl = 'redis://127.0.0.1:6379/9';
  beforeEach(async () => start(redisUrl));

  it('Redis flushed mid-sweep: the controller rebuilds the queue from Postgres and the sweep completes', async () => {
    fleet.startAgent('a', 2);
    const values = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
    const id = await fleet.submit(
      sweepConfig({ parallel: 2, parameters: { x: { values }, sleep_ms: { value: 700 } } }),
    );
    await waitFor('a finished trial', async () => (await fleet.sweep(id)).trials.some((t) => t.status === 'succeeded'));
    execFileSync('redis-cli', ['-u', redisUrl, 'FLUSHDB']);
    const { sweep, trials } = await fleet.waitForSweepEnd(id, 120_000);
    expect(sweep.status).toBe('finished');
    expectEachTrialEndedOnce(trials, values.length);
  });
});
