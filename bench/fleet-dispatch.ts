/**
 * Fleet dispatch: N no-op trials through the controller (in-process: Redis transport, Postgres store) and
 * 4 agents on Redis whose trials run an in-process no-op executor instead of a process spawn; trials/s from
 * submit to sweep finished. In the same run, raw BullMQ: `Queue.addBulk` of N jobs + 4 no-op Workers with the
 * same concurrency, jobs/s. Target: fleet ≥ 0.5 × raw.
 *
 *   node --import tsx bench/fleet-dispatch.ts            # 5,000 trials, 4 agents × 16 slots, parallel 64
 *   node --import tsx bench/fleet-dispatch.ts --quick    # 500 trials
 *   node --import tsx bench/fleet-dispatch.ts --trials=2000 --agents=4 --slots=8 --parallel=32
 *
 * Flags: trials, agents, slots (per agent), parallel (sweep), rounds (raw + hyperfleet pairs; the median ratio
 * is the result), warmup (jobs / trials each side runs in the same processes before the timed ones, so
 * both are measured warm, as long-running agents and controllers are; 0 measures cold processes),
 * redis (URL), pg (URL), quick, store-timing
 * (prints the controller's time per store method: where the scheduler's time goes), split (the agents, and
 * the raw Workers, run in a second process, as on other machines; the controller or `addBulk` stays here).
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { cpuMeter, describeCpu, redisCallMeter } from './cpu-meter';
import {
  deleteRedisKeys,
  exitedOk,
  flag,
  printTable,
  startFleetEnv,
  startWorkerProcess,
  submitSweep,
  waitForSweep,
} from './fleet-env';

const QUICK = flag('quick', 'false') === 'true';
const TRIALS = Number(flag('trials', QUICK ? '500' : '5000'));
const AGENTS = Number(flag('agents', '4'));
const SLOTS = Number(flag('slots', '16'));
const PARALLEL = Number(flag('parallel', String(AGENTS * SLOTS)));
const REDIS_URL = flag('redis', 'redis://127.0.0.1:6379/0');
const PG_URL = flag('pg', 'postgres://postgres@127.0.0.1:5432/test');
const STORE_TIMING = flag('store-timing', 'false') === 'true';
const SPLIT = flag('split', 'false') === 'true';
const ROUNDS = Number(flag('rounds', QUICK ? '1' : '3'));
const WARMUP = Number(flag('warmup', QUICK ? '0' : '1000'));

const admin = new Redis(REDIS_URL);
const commandStats = () => admin.info('commandstats');

async function fleetRun(): Promise<{ seconds: number; finished: number; status: string; cpu: string; calls: string }> {
  const env = await startFleetEnv({
    redisUrl: REDIS_URL,
    pgUrl: PG_URL,
    agents: AGENTS,
    slotsPerAgent: SLOTS,
    runTrial: async (o) => exitedOk({ loss: Number(o.params.x ?? 0) }),
    storeTiming: STORE_TIMING,
    agentsInChild: SPLIT,
  });
  try {
    if (WARMUP > 0) await waitForSweep(env, await submitSweep(env, WARMUP, PARALLEL), 600_000);
    const calls = await redisCallMeter(commandStats);
    const meter = cpuMeter(() => env.agentsPid);
    const t0 = performance.now();
    const sweepId = await submitSweep(env, TRIALS, PARALLEL);
    const status = await waitForSweep(env, sweepId, 600_000);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = describeCpu(meter.stop(), TRIALS);
    const counts = await env.store.countTrials(sweepId);
    return { seconds, finished: counts.succeeded, status, cpu, calls: await calls.stop(TRIALS) };
  } finally {
    await env.close();
  }
}

interface RawRun {
  seconds: number;
  cpu: string;
  calls: string;
}

async function rawBullmq(): Promise<RawRun> {
  const prefix = `hf-bench-raw-${randomUUID().slice(0, 8)}`;
  const connection = { url: REDIS_URL } as const;
  const name = 'raw';
  const queue = new Queue(name, { connection, prefix });
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => {
    resolveAll = r;
  });
  let resolveWarm!: () => void;
  const warm = new Promise<void>((r) => {
    resolveWarm = r;
  });
  const jobsFrom = (first: number, count: number) =>
    Array.from({ length: count }, (_, k) => {
      const i = first + k;
      return {
        name: 'trial',
        data: { trialId: `t-${i}`, attempt: 1, argv: ['noop.py'], params: { x: i / TRIALS } },
        opts: { jobId: `t-${i}.a1`, removeOnComplete: { count: 50_000 } },
      };
    });
  const jobs = jobsFrom(WARMUP, TRIALS);
  if (SPLIT) {
    const child = await startWorkerProcess('raw', {
      agents: AGENTS,
      slots: SLOTS,
      redisUrl: REDIS_URL,
      prefix,
      queue: name,
      jobs: TRIALS,
      warmup: WARMUP,
    });
    try {
      if (WARMUP > 0) {
        await queue.addBulk(jobsFrom(0, WARMUP));
        await child.nextLine('warm');
      }
      const calls = await redisCallMeter(commandStats);
      const meter = cpuMeter(() => child.pid);
      const t0 = performance.now();
      await queue.addBulk(jobs);
      await child.nextLine('done');
      const seconds = (performance.now() - t0) / 1000;
      return { seconds, cpu: describeCpu(meter.stop(), TRIALS), calls: await calls.stop(TRIALS) };
    } finally {
      await child.stop();
      await cleanup(queue, prefix);
    }
  }
  const workers = Array.from(
    { length: AGENTS },
    () =>
      new Worker(
        name,
        async () => {
          done++;
          if (done === WARMUP) resolveWarm();
          if (done === WARMUP + TRIALS) resolveAll();
        },
        { connection, prefix, concurrency: SLOTS, autorun: false },
      ),
  );
  try {
    for (const w of workers) void w.run();
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    if (WARMUP > 0) {
      await queue.addBulk(jobsFrom(0, WARMUP));
      await warm;
    }
    const calls = await redisCallMeter(commandStats);
    const meter = cpuMeter();
    const t0 = performance.now();
    await queue.addBulk(jobs);
    await all;
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, cpu: describeCpu(meter.stop(), TRIALS), calls: await calls.stop(TRIALS) };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await cleanup(queue, prefix);
  }
}

async function cleanup(queue: Queue, prefix: string): Promise<void> {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await deleteRedisKeys(REDIS_URL, prefix);
}

// Rounds alternate raw and hyperfleet: on a shared 2-core VM either one alone swings by ±30% from run to run.
const rows: string[][] = [];
const ratios: number[] = [];
let last: { raw: RawRun; fleet: Awaited<ReturnType<typeof fleetRun>> } | null = null;
for (let round = 1; round <= ROUNDS; round++) {
  const raw = await rawBullmq();
  const fleet = await fleetRun();
  const rawRate = TRIALS / raw.seconds;
  const fleetRate = fleet.finished / fleet.seconds;
  ratios.push(fleetRate / rawRate);
  rows.push([
    String(round),
    `${raw.seconds.toFixed(2)} s`,
    rawRate.toFixed(0),
    `${fleet.finished} ${fleet.status}`,
    `${fleet.seconds.toFixed(2)} s`,
    fleetRate.toFixed(0),
    (fleetRate / rawRate).toFixed(2),
  ]);
  last = { raw, fleet };
}
console.log(
  `\nfleet dispatch: ${TRIALS} no-op trials, ${AGENTS} agents × ${SLOTS} slots, parallel ${PARALLEL}, ${cpus().length} CPUs, ${SPLIT ? 'workers in a second process' : 'one process'}, ${WARMUP > 0 ? `after a warm-up of ${WARMUP}` : 'cold'}\n`,
);
printTable(['round', 'raw BullMQ', 'raw / s', 'hyperfleet trials', 'hyperfleet', 'hyperfleet / s', 'ratio'], rows);
if (last) {
  console.log(
    `\nlast round:\nraw ${last.raw.cpu}\nraw ${last.raw.calls}\nhyperfleet ${last.fleet.cpu}\nhyperfleet ${last.fleet.calls}`,
  );
}
const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? 0;
console.log(`\nratio fleet / raw, median of ${ROUNDS}: ${median.toFixed(2)} (target ≥ 0.5)`);
admin.disconnect();
process.exit(0);
