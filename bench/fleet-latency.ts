/**
 * Fleet metric latency at a steady rate: trials of a real sweep run an in-process executor that logs points
 * paced to RATE points/s in total, through the agent's own path (runner `onMetrics` → the agent's batching
 * reporter → Redis report stream → controller SweepEngine → Postgres). Two measures, p50/p99:
 * - written: point logged → its batch written to Postgres (the controller's onMetrics hook), every point;
 * - API: point logged → first returned by `GET /api/trials/:id/metrics`, for the points of SAMPLE
 *   trials polled every POLL ms (a dashboard following them; the poll interval is part of the latency).
 * Points logged during the first WARMUP seconds are left out.
 *
 *   node --import tsx bench/fleet-latency.ts            # 5,000 points/s for 30 s, 20 trials
 *   node --import tsx bench/fleet-latency.ts --quick    # 10 s
 *   node --import tsx bench/fleet-latency.ts --rate=5000 --seconds=30 --trials=20 --sample=2
 *
 * Flags: rate (points/s, total), seconds, trials, agents, sample (trials polled through the API), poll (ms
 * between the poller's rounds), warmup,
 * redis (URL), pg (URL), quick.
 */
import { cpus } from 'node:os';
import type { MetricSample } from '@hyperfleet/domain';
import type { RunTrialOptions, TrialResult } from '@hyperfleet/runner';
import { exitedOk, flag, printTable, startFleetEnv, submitSweep, waitForRunning, waitForSweep } from './fleet-env';

const QUICK = flag('quick', 'false') === 'true';
const RATE = Number(flag('rate', '5000'));
const SECONDS = Number(flag('seconds', QUICK ? '10' : '30'));
const TRIALS = Number(flag('trials', '20'));
const AGENTS = Number(flag('agents', '4'));
const SAMPLE = Number(flag('sample', '2'));
const WARMUP = Number(flag('warmup', '2'));
const REDIS_URL = flag('redis', 'redis://127.0.0.1:6379/0');
const PG_URL = flag('pg', 'postgres://postgres@127.0.0.1:5432/test');
const POLL_MS = Number(flag('poll', '100'));
const TICK_MS = 10;

const loggedAt = new Map<string, number>(); // `${trialId}/${step}` → ms
const written: number[] = [];
const viaApi: number[] = [];
let measureFrom = Number.POSITIVE_INFINITY;

/** Running trials' metric sinks; the pacer feeds them until `stop` resolves. */
const sinks = new Map<string, (points: MetricSample[]) => void>();
let finish!: () => void;
const finished = new Promise<void>((r) => {
  finish = r;
});

async function pacedTrial(o: RunTrialOptions): Promise<TrialResult> {
  if (o.onMetrics) sinks.set(o.trialId, o.onMetrics);
  await new Promise<void>((resolve) => {
    void finished.then(resolve);
    o.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  sinks.delete(o.trialId);
  return exitedOk();
}

/** Emits RATE points/s spread over the running trials, one tick every TICK_MS; resolves after `ms`. */
async function pace(ms: number): Promise<number> {
  const start = performance.now();
  const steps = new Map<string, number>();
  let emitted = 0;
  while (performance.now() - start < ms) {
    const due = Math.floor(((performance.now() - start) / 1000) * RATE);
    const ids = [...sinks.keys()];
    let i = 0;
    while (emitted < due && ids.length > 0) {
      const id = ids[i++ % ids.length]!;
      const step = steps.get(id) ?? 0;
      steps.set(id, step + 1);
      const now = Date.now();
      if (now >= measureFrom) loggedAt.set(`${id}/${step}`, now);
      sinks.get(id)?.([{ key: 'loss', step, value: 1 / (1 + step), timestamp: now }]);
      emitted++;
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  return emitted;
}

function pct(xs: number[], p: number): string {
  if (xs.length === 0) return '-';
  const s = [...xs].sort((a, b) => a - b);
  return String(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]);
}

const env = await startFleetEnv({
  redisUrl: REDIS_URL,
  pgUrl: PG_URL,
  agents: AGENTS,
  slotsPerAgent: Math.ceil(TRIALS / AGENTS),
  runTrial: pacedTrial,
  hooks: {
    onMetrics: (_sweep, points) => {
      const now = Date.now();
      for (const p of points) {
        const at = loggedAt.get(`${p.trialId}/${p.step}`);
        if (at !== undefined) written.push(now - at);
      }
    },
  },
});
let emitted = 0;
try {
  const sweepId = await submitSweep(env, TRIALS, TRIALS);
  await waitForRunning(env, sweepId, TRIALS, 60_000);
  const sampled = [...sinks.keys()].slice(0, SAMPLE);
  const seen = new Map<string, number>(sampled.map((id) => [id, 0]));
  let polling = true;
  const poller = (async () => {
    while (polling) {
      for (const id of sampled) {
        const { points } = await env.api<{ points: Array<{ step: number }> }>('GET', `/api/trials/${id}/metrics`);
        const now = Date.now();
        const before = seen.get(id) ?? 0;
        for (const p of points) {
          if (p.step < before) continue;
          const at = loggedAt.get(`${id}/${p.step}`);
          if (at !== undefined) viaApi.push(now - at);
        }
        seen.set(id, Math.max(before, ...points.map((p) => p.step + 1)));
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  measureFrom = Date.now() + WARMUP * 1000;
  emitted = await pace(SECONDS * 1000);
  await new Promise((r) => setTimeout(r, 1500)); // the last batches land
  polling = false;
  await poller;
  finish();
  await waitForSweep(env, sweepId, 60_000);
} finally {
  finish();
  await env.close();
}

const measured = loggedAt.size;
console.log(
  `\nfleet latency: ${RATE} points/s for ${SECONDS} s over ${TRIALS} trials (${AGENTS} agents, default agent batching), ${cpus().length} CPUs; ${emitted} points logged, ${measured} measured after ${WARMUP} s warm-up\n`,
);
printTable(
  ['logged →', 'points', 'p50 ms', 'p99 ms', 'max ms'],
  [
    ['written to Postgres', String(written.length), pct(written, 50), pct(written, 99), pct(written, 100)],
    [
      `read via API (${SAMPLE} trials polled)`,
      String(viaApi.length),
      pct(viaApi, 50),
      pct(viaApi, 99),
      pct(viaApi, 100),
    ],
  ],
);
process.exit(0);
