/**
 * Fleet metric ingestion: 100 trials of a real sweep (no-op trials held running by the agents' executor), each
 * with a publisher logging as fast as it can the way an agent does (`reports.publish(sweepId, [{type:
 * 'metrics', …}])`, 500 points per batch, one publish in flight per trial), against the controller's real
 * SweepEngine; points/s until the last point is written to Postgres, then every trial's points are read back
 * through `GET /api/trials/:id/metrics` and counted. In the same run: raw Redis, an ioredis pipeline of XADDs
 * of the same payloads (same size), points/s. Target: ≥ 50,000 points/s.
 *
 *   node --import tsx bench/fleet-ingest.ts            # 100 trials × 10,000 points (1M points)
 *   node --import tsx bench/fleet-ingest.ts --quick    # 100 trials × 1,000 points
 *   node --import tsx bench/fleet-ingest.ts --trials=100 --points=5000 --batch=500 --agents=4
 *
 * Flags: trials, points (per trial), batch (points per publish), agents, redis (URL), pg (URL), quick.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import type { MetricSample } from '@hyperfleet/domain';
import { createRedisTransport } from '@hyperfleet/transport';
import { Redis } from 'ioredis';
import {
  blockingExecutor,
  flag,
  printTable,
  startFleetEnv,
  submitSweep,
  waitForRunning,
  waitForSweep,
} from './fleet-env';

const QUICK = flag('quick', 'false') === 'true';
const TRIALS = Number(flag('trials', '100'));
const POINTS = Number(flag('points', QUICK ? '1000' : '10000'));
const BATCH = Number(flag('batch', '500'));
const AGENTS = Number(flag('agents', '4'));
const REDIS_URL = flag('redis', 'redis://127.0.0.1:6379/0');
const PG_URL = flag('pg', 'postgres://postgres@127.0.0.1:5432/test');
const TOTAL = TRIALS * POINTS;
const T0 = Date.now();

/** Points `from`..`from+n` of one trial's curve: a decreasing loss, as training logs it. */
function batchOf(from: number, n: number): MetricSample[] {
  const points: MetricSample[] = [];
  for (let s = from; s < from + n; s++) points.push({ key: 'loss', step: s, value: 1 / (1 + s), timestamp: T0 + s });
  return points;
}

async function fleetRun(): Promise<{ seconds: number; persisted: number; readBack: number; readSeconds: number }> {
  const exec = blockingExecutor();
  let persisted = 0;
  let lastAt = 0;
  let onAll: () => void = () => {};
  const all = new Promise<void>((r) => {
    onAll = r;
  });
  const env = await startFleetEnv({
    redisUrl: REDIS_URL,
    pgUrl: PG_URL,
    agents: AGENTS,
    slotsPerAgent: Math.ceil(TRIALS / AGENTS),
    runTrial: exec.runTrial,
    hooks: {
      onMetrics: (_sweep, points) => {
        persisted += points.length;
        lastAt = performance.now();
        if (persisted >= TOTAL) onAll();
      },
    },
  });
  // One publisher transport per agent, as each agent process has one.
  const publishers = Array.from({ length: AGENTS }, () =>
    createRedisTransport({ url: REDIS_URL, prefix: env.prefix, onError: () => {} }),
  );
  try {
    const sweepId = await submitSweep(env, TRIALS, TRIALS);
    await waitForRunning(env, sweepId, TRIALS, 60_000);
    const trials = (await env.store.listTrials(sweepId)).map((t) => ({ id: t.id, attempt: t.attempts }));
    const t0 = performance.now();
    await Promise.all(
      trials.map(async (t, i) => {
        const transport = publishers[i % AGENTS]!;
        for (let from = 0; from < POINTS; from += BATCH) {
          const points = batchOf(from, Math.min(BATCH, POINTS - from));
          await transport.reports.publish(sweepId, [{ type: 'metrics', trialId: t.id, attempt: t.attempt, points }]);
        }
      }),
    );
    await Promise.race([all, new Promise((r) => setTimeout(r, 300_000))]);
    const seconds = ((lastAt || performance.now()) - t0) / 1000;
    const r0 = performance.now();
    let readBack = 0;
    for (const t of trials) {
      const { points } = await env.api<{ points: unknown[] }>('GET', `/api/trials/${t.id}/metrics`);
      readBack += points.length;
    }
    const readSeconds = (performance.now() - r0) / 1000;
    exec.release();
    await waitForSweep(env, sweepId, 60_000);
    return { seconds, persisted, readBack, readSeconds };
  } finally {
    exec.release();
    await Promise.allSettled(publishers.map((p) => p.close()));
    await env.close();
  }
}

/** The same payloads (JSON of one metrics report of BATCH points), XADDed through ioredis pipelines. */
async function rawXadd(): Promise<number> {
  const redis = new Redis(REDIS_URL);
  const key = `hf-bench-raw-${randomUUID().slice(0, 8)}:reports`;
  const batches = Math.ceil(POINTS / BATCH) * TRIALS;
  const payloads = Array.from({ length: Math.ceil(POINTS / BATCH) }, (_, b) =>
    JSON.stringify([
      {
        type: 'metrics',
        trialId: 'bench-sweep-000000-99',
        attempt: 1,
        points: batchOf(b * BATCH, Math.min(BATCH, POINTS - b * BATCH)),
      },
    ]),
  );
  try {
    const t0 = performance.now();
    const PIPE = 100;
    for (let i = 0; i < batches; i += PIPE) {
      const p = redis.pipeline();
      for (let j = i; j < Math.min(i + PIPE, batches); j++) p.xadd(key, '*', 'r', payloads[j % payloads.length]!);
      await p.exec();
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await redis.unlink(key);
    redis.disconnect();
  }
}

const rawSeconds = await rawXadd();
const fleet = await fleetRun();
const rawRate = TOTAL / rawSeconds;
const fleetRate = fleet.persisted / fleet.seconds;
console.log(
  `\nfleet ingest: ${TRIALS} trials × ${POINTS} points, ${BATCH} points per publish, ${AGENTS} publisher connections, ${cpus().length} CPUs\n`,
);
printTable(
  ['run', 'points', 'seconds', 'points/s'],
  [
    ['raw XADD (ioredis pipeline, 100 per exec)', String(TOTAL), rawSeconds.toFixed(2), rawRate.toFixed(0)],
    [
      'hyperfleet (publish → written to Postgres)',
      String(fleet.persisted),
      fleet.seconds.toFixed(2),
      fleetRate.toFixed(0),
    ],
  ],
);
console.log(
  `\nread back through GET /api/trials/:id/metrics: ${fleet.readBack}/${TOTAL} points in ${fleet.readSeconds.toFixed(2)} s`,
);
console.log(
  `ratio hyperfleet / raw XADD: ${(fleetRate / rawRate).toFixed(2)}; vs target 50,000 points/s: ${(fleetRate / 50_000).toFixed(2)}`,
);
process.exit(fleet.readBack === TOTAL ? 0 : 1);
