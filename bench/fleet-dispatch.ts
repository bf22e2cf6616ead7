/**
 * Fleet dispatch: N no-op trials through the controller (in-process: Redis transport, Postgres store) and
 * 4 agents on Redis whose trials run an in-process no-op executor instead of a process spawn; trials/s from
 * submit to sweep finished. In the same run, raw BullMQ: `Queue.addBulk` of N jobs + 4 no-op Workers with the
 * same concurrency, jobs/s. Target: fleet ≥ 0.5 × raw.
 *
 *   node --import tsx bench/fleet-dispatch.ts --split    # 5,000 trials, 4 agents × 16 slots, all queued at once
 *   node --import tsx bench/fleet-dispatch.ts --quick    # 500 trials, cold
 *   node --import tsx bench/fleet-dispatch.ts --split --parallel=64   # the sweep keeps at most 64 in flight
 *
 * `addBulk` queues every job at once, so by default the sweep may too (`parallel` = trials); `--parallel=64`
 * (= the slots) measures a sweep that refills the queue one finished trial at a time.
 *
 * Flags: trials, agents, slots (per agent), parallel (sweep), rounds (raw + hyperfleet pairs; the median ratio
 * is the result), warmup (jobs / trials each side runs before the timed rounds; default = trials; 0 measures
 * cold processes), redis (URL), pg (URL), quick, store-timing (prints the controller's time per store method:
 * where the scheduler's time goes), split (the agents, and the raw Workers, run in a second process, as on
 * other machines; the controller or `addBulk` stays here).
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { deleteKeysUnder } from '@hyperfleet/transport/testing';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { cpuMeter, describeCpu, redisCallMeter } from './cpu-meter';
import { exitedOk, flag, printTable, startFleetEnv, startWorkerProcess, submitSweep, waitForSweep } from './fleet-env';

const QUICK = flag('quick', 'false') === 'true';
const TRIALS = Number(flag('trials', QUICK ? '500' : '5000'));
const AGENTS = Number(flag('agents', '4'));
const SLOTS = Number(flag('slots', '16'));
const PARALLEL = Number(flag('parallel', String(TRIALS)));
const REDIS_URL = flag('redis', 'redis://127.0.0.1:6379/0');
const PG_URL = flag('pg', 'postgres://postgres@127.0.0.1:5432/test');
const STORE_TIMING = flag('store-timing', 'false') === 'true';
const SPLIT = flag('split', 'false') === 'true';
const ROUNDS = Number(flag('rounds', QUICK ? '1' : '3'));
const WARMUP = Number(flag('warmup', QUICK ? '0' : String(TRIALS)));

const admin = new Redis(REDIS_URL);
const commandStats = () => admin.info('commandstats');

interface Round {
  seconds: number;
  finished: number;
  status: string;
  cpu: string;
  calls: string;
}

/** One side of the comparison: started and warmed up once, then timed round after round in the same processes. */
interface Side {
  round(): Promise<Round>;
  close(): Promise<void>;
}

async function startFleet(): Promise<Side> {
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
  } catch (err) {
    await env.close();
    throw err;
  }
  return {
    async round() {
      const calls = await redisCallMeter(commandStats);
      const meter = cpuMeter(() => env.agentsPid);
      const t0 = performance.now();
      const sweepId = await submitSweep(env, TRIALS, PARALLEL);
      const status = await waitForSweep(env, sweepId, 600_000);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = describeCpu(meter.stop(), TRIALS);
      const counts = await env.store.countTrials(sweepId);
      return { seconds, finished: counts.succeeded, status, cpu, calls: await calls.stop(TRIALS) };
    },
    close: () => env.close(),
  };
}

/** Raw BullMQ: `addBulk` of the round's jobs onto a queue that no-op Workers (same agents × slots) drain. */
async function startRaw(): Promise<Side> {
  const prefix = `hf-bench-raw-${randomUUID().slice(0, 8)}`;
  const connection = { url: REDIS_URL } as const;
  const name = 'raw';
  const queue = new Queue(name, { connection, prefix });
  let next = 0;
  const jobs = (count: number) =>
    Array.from({ length: count }, () => {
      const i = next++;
      return {
        name: 'trial',
        data: { trialId: `t-${i}`, attempt: 1, argv: ['noop.py'], params: { x: (i % TRIALS) / TRIALS } },
        opts: { jobId: `t-${i}.a1`, removeOnComplete: { count: 50_000 } },
      };
    });
  // Completions reaching each of these cumulative counts end a phase: the warm-up, then each round.
  const marks = [WARMUP, ...Array.from({ length: ROUNDS }, (_, r) => WARMUP + (r + 1) * TRIALS)].filter((m) => m > 0);
  const workers = await startRawWorkers(prefix, name, marks);
  const cleanup = async () => {
    await workers.stop();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await deleteKeysUnder(REDIS_URL, prefix);
  };
  try {
    if (WARMUP > 0) {
      await queue.addBulk(jobs(WARMUP));
      await workers.nextMark();
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    async round() {
      const batch = jobs(TRIALS);
      const calls = await redisCallMeter(commandStats);
      const meter = cpuMeter(() => workers.pid);
      const t0 = performance.now();
      await queue.addBulk(batch);
      await workers.nextMark();
      const seconds = (performance.now() - t0) / 1000;
      return {
        seconds,
        finished: TRIALS,
        status: 'finished',
        cpu: describeCpu(meter.stop(), TRIALS),
        calls: await calls.stop(TRIALS),
      };
    },
    close: cleanup,
  };
}

/** The raw Workers, in a second process with `--split`, else here; `nextMark` resolves at the next mark. */
async function startRawWorkers(
  prefix: string,
  name: string,
  marks: number[],
): Promise<{ pid: number | undefined; nextMark(): Promise<void>; stop(): Promise<void> }> {
  if (SPLIT) {
    const child = await startWorkerProcess('raw', {
      agents: AGENTS,
      slots: SLOTS,
      redisUrl: REDIS_URL,
      prefix,
      queue: name,
      marks,
    });
    return { pid: child.pid, nextMark: () => child.nextLine('done'), stop: () => child.stop() };
  }
  let done = 0;
  const waiting = new Map<number, () => void>();
  const reached = new Set<number>();
  const workers = Array.from(
    { length: AGENTS },
    () =>
      new Worker(
        name,
        async () => {
          done++;
          if (!marks.includes(done)) return;
          reached.add(done);
          waiting.get(done)?.();
        },
        { connection: { url: REDIS_URL }, prefix, concurrency: SLOTS, autorun: false },
      ),
  );
  for (const w of workers) void w.run();
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const pending = [...marks];
  return {
    pid: undefined,
    nextMark: () => {
      const mark = pending.shift();
      if (mark === undefined || reached.has(mark)) return Promise.resolve();
      return new Promise<void>((resolve) => waiting.set(mark, resolve));
    },
    stop: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

// Both sides stay up for every round, warmed up alike first: long-running agents and controllers are what
// production runs, and a fresh process spends its first thousands of trials compiling. Rounds alternate raw and
// hyperfleet: on a shared 2-core VM either one alone swings by ±30% from run to run.
const raw = await startRaw();
const fleet = await startFleet().catch(async (err) => {
  await raw.close();
  throw err;
});
const rows: string[][] = [];
const ratios: number[] = [];
let last: { raw: Round; fleet: Round } | null = null;
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const r = await raw.round();
    const f = await fleet.round();
    const rawRate = TRIALS / r.seconds;
    const fleetRate = f.finished / f.seconds;
    ratios.push(fleetRate / rawRate);
    rows.push([
      String(round),
      `${r.seconds.toFixed(2)} s`,
      rawRate.toFixed(0),
      `${f.finished} ${f.status}`,
      `${f.seconds.toFixed(2)} s`,
      fleetRate.toFixed(0),
      (fleetRate / rawRate).toFixed(2),
    ]);
    last = { raw: r, fleet: f };
  }
} finally {
  await Promise.allSettled([raw.close(), fleet.close()]);
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
