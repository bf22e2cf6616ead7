import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { tempDir } from '../../helpers/cli';
import { Fleet, killTrialsOf, waitFor } from '../../helpers/fleet';
import { PG_URL } from '../../helpers/postgres';
import { PrivateRedis } from '../../helpers/private-redis';
import { AGENT_NAMES, type ChaosSchedule, describeFault, type Fault } from './fault-schedule';
import { readGroundTruth } from './ground-truth';
import { checkInvariants, type Observation, type ObservedTrial, type Violation } from './invariants';
import { TcpProxy } from './tcp-proxy';

export const chaosTrial = resolve(import.meta.dirname, '..', 'fixtures', 'chaos-trial.mjs');

const METRIC = { name: 'loss', goal: 'minimize' } as const;
const POLL_MS = 300;
/** After the sweep ends: keep watching this long, so a late change to an ended trial is seen. */
const SETTLE_MS = 3000;

export interface ChaosResult {
  schedule: ChaosSchedule;
  violations: Violation[];
  /** What the harness did, when (ms after the submit). */
  log: string[];
  /** The faults begun before the sweep ended (later ones are left out). */
  injected: Fault['kind'][];
  /** The fleet's own output, for a violation's diagnosis. */
  fleetLogs: string[];
  sweepStatus: string | null;
  trialStatuses: Record<string, number>;
  ms: number;
}

/**
 * Runs one schedule: a private Redis and TCP proxies in front of it and of Postgres, a real `hyperfleet
 * server` and two agents, a sweep of chaos-trial.mjs, the schedule's faults at their times, and the
 * invariants checked against the trials' own side files once the sweep has ended (or `deadlineMs` passed).
 */
export async function runChaosSchedule(
  schedule: ChaosSchedule,
  opts: { deadlineMs?: number; keepDir?: boolean } = {},
): Promise<ChaosResult> {
  const started = Date.now();
  const dir = tempDir('hf-chaos-');
  const truthDir = join(dir, 'truth');
  mkdirSync(truthDir);
  const pgTarget = new URL(PG_URL);
  const redis = new PrivateRedis();
  await redis.start();
  const redisProxy = new TcpProxy('redis', { host: '127.0.0.1', port: redis.port });
  const pgProxy = new TcpProxy('postgres', { host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
  await Promise.all([redisProxy.start(), pgProxy.start()]);
  const fleet = new Fleet(dir, `redis://127.0.0.1:${redisProxy.port}`, {
    privateRedis: true,
    storeUrl: (url) => {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(pgProxy.port);
      return through.toString();
    },
  });
  const log: string[] = [];
  let t0 = Date.now();
  const note = (what: string) => log.push(`t+${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
  const agentKills: Observation['agentKills'] = [];
  const transitions = new Map<string, string[]>();
  let sweepId = '';
  try {
    await fleet.start();
    for (const name of AGENT_NAMES) fleet.startAgent(name, 2);
    await waitFor(
      'both agents',
      async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === AGENT_NAMES.length,
    );
    try {
      sweepId = await fleet.submit(sweepConfig(schedule, truthDir));
    } catch (err) {
      // What the fleet said around a refused submit is the only clue to why: keep it with the error.
      throw new Error(`${(err as Error).message}\n${fleet.logs.slice(-60).join('\n')}`);
    }
    t0 = Date.now();
    note(`submitted sweep ${sweepId}`);

    const faults = new FaultRunner(fleet, redis, redisProxy, pgProxy, dir, note, agentKills);
    const timers = schedule.faults.map((f) => setTimeout(() => faults.inject(f), f.atMs));
    const deadline = t0 + (opts.deadlineMs ?? 120_000);
    let endedAt: number | null = null;
    let crashesSeen = 0;
    while (Date.now() < deadline && (endedAt === null || Date.now() - endedAt < SETTLE_MS)) {
      crashesSeen = await superviseCrashes(fleet, note, crashesSeen);
      const status = await pollOnce(fleet, sweepId, transitions);
      if (status && status !== 'running' && status !== 'paused' && endedAt === null) {
        endedAt = Date.now();
        note(`sweep ${status}`);
        for (const t of timers) clearTimeout(t); // faults not begun yet are left out
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (endedAt === null) {
      note('deadline passed, the sweep has not ended');
      for (const t of timers) clearTimeout(t);
    }
    await faults.settled(); // every fault begun has been undone, so the server answers the final reads
    crashesSeen = await superviseCrashes(fleet, note, crashesSeen);
    await pollOnce(fleet, sweepId, transitions);

    const observation = await observe(fleet, sweepId, schedule, transitions, agentKills, truthDir);
    const violations = checkInvariants(observation);
    const trialStatuses: Record<string, number> = {};
    for (const t of observation.trials) trialStatuses[t.status] = (trialStatuses[t.status] ?? 0) + 1;
    return {
      schedule,
      violations,
      log,
      injected: faults.injected,
      fleetLogs: [...fleet.logs],
      sweepStatus: observation.sweep?.status ?? null,
      trialStatuses,
      ms: Date.now() - started,
    };
  } finally {
    await fleet.close().catch(() => {});
    killTrialsOf(dir);
    await Promise.all([redisProxy.close(), pgProxy.close()]);
    await redis.kill();
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Restarts a server or agent that exited by itself, as a process manager would, and notes each crash after
 * the first `from`; returns how many it has seen.
 */
async function superviseCrashes(fleet: Fleet, note: (what: string) => void, from: number): Promise<number> {
  for (const c of fleet.crashes.slice(from)) note(`${c.label} exited by itself (code ${c.code}, signal ${c.signal})`);
  const crashed = new Set(fleet.crashes.map((c) => c.label));
  for (const name of AGENT_NAMES)
    if (crashed.has(`agent ${name}`) && !fleet.agentRunning(name)) fleet.startAgent(name, 2);
  if (crashed.has('server') && !fleet.serverRunning) await fleet.startServer();
  return fleet.crashes.length;
}

function sweepConfig(schedule: ChaosSchedule, truthDir: string): Record<string, unknown> {
  const earlyTerminate = {
    none: undefined,
    hyperband: { type: 'hyperband', min_iter: 2, eta: 2 },
    median: { type: 'median', warmup_steps: 2, min_trials: 2 },
  }[schedule.earlyStop];
  return {
    method: 'random',
    program: chaosTrial,
    metric: METRIC,
    run_cap: schedule.trials,
    parallel: schedule.parallel,
    seed: schedule.seed % 2 ** 31,
    retries: 5,
    parameters: {
      x: { distribution: 'uniform', min: 0, max: 1 },
      epochs: { values: [5, 8, 10] },
      sleep_ms: { values: [200, 300, 400] },
      exit_code: { values: [0, 0, 0, 3] },
      truth_dir: { value: truthDir },
    },
    ...(earlyTerminate ? { early_terminate: earlyTerminate } : {}),
  };
}

/** One poll of the sweep: appends each status change (sweep and trials) to `transitions`; null when unreachable. */
async function pollOnce(fleet: Fleet, sweepId: string, transitions: Map<string, string[]>): Promise<string | null> {
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('poll timed out')), 5000));
    const { sweep, trials } = await Promise.race([fleet.sweep(sweepId), timeout]);
    for (const [id, status] of [['sweep', sweep.status], ...trials.map((t) => [t.id, t.status])] as const) {
      const seen = transitions.get(id) ?? [];
      if (seen.at(-1) !== status) seen.push(status);
      transitions.set(id, seen);
    }
    return sweep.status;
  } catch {
    return null; // the server is down or cut off: the next poll tries again
  }
}

async function observe(
  fleet: Fleet,
  sweepId: string,
  schedule: ChaosSchedule,
  transitions: Map<string, string[]>,
  agentKills: Observation['agentKills'],
  truthDir: string,
): Promise<Observation> {
  const { sweep, trials } = await waitFor('the final sweep read', async () => fleet.sweep(sweepId), 60_000);
  const observed: ObservedTrial[] = [];
  for (const t of trials) {
    const attempts = await fleet.attempts(t.id);
    const { points } = await fleet.api<{ points: ObservedTrial['points'] }>(`/api/trials/${t.id}/metrics`);
    observed.push({
      id: t.id,
      index: t.index,
      status: t.status,
      reason: t.reason,
      metricValue: t.metricValue,
      attempts,
      points,
    });
  }
  return {
    expectedTrials: schedule.trials,
    metric: METRIC,
    sweep,
    trials: observed,
    terminalEvents: await terminalEvents(fleet.schemaName, sweepId),
    transitions,
    truth: readGroundTruth(truthDir),
    agentKills,
    crashes: fleet.crashes.map((c) => ({
      ...c,
      lastLines: fleet.logs.filter((l) => l.startsWith(`[${c.label}]`)).slice(-3),
    })),
  };
}

/** The store's terminal events per trial, read straight from Postgres (the API does not list events). */
async function terminalEvents(schema: string, sweepId: string): Promise<Map<string, string[]>> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ trial_id: string; type: string }>(
      `SELECT trial_id, type FROM "${schema}".events WHERE sweep_id = $1 AND type = ANY($2) ORDER BY id`,
      [sweepId, ['trial.succeeded', 'trial.failed', 'trial.stopped', 'trial.cancelled']],
    );
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.trial_id, [...(out.get(r.trial_id) ?? []), r.type]);
    return out;
  } finally {
    await client.end();
  }
}

/**
 * Injects faults and undoes them. Faults on one resource (an agent, the server, Redis, a proxy) run one
 * after another, so a second kill of a process that is already down waits for it to be back.
 */
class FaultRunner {
  private readonly chains = new Map<string, Promise<void>>();
  readonly injected: Fault['kind'][] = [];

  constructor(
    private readonly fleet: Fleet,
    private readonly redis: PrivateRedis,
    private readonly redisProxy: TcpProxy,
    private readonly pgProxy: TcpProxy,
    private readonly dir: string,
    private readonly note: (what: string) => void,
    private readonly agentKills: Observation['agentKills'],
  ) {}

  inject(f: Fault): void {
    const resource =
      f.kind === 'agent-kill' ? `agent ${f.agent}` : f.kind === 'redis-pause' ? 'redis-restart-empty' : f.kind;
    const previous = this.chains.get(resource) ?? Promise.resolve();
    const next = previous.then(() =>
      this.apply(f).catch((err: Error) => this.note(`fault ${describeFault(f)} failed: ${err.message}`)),
    );
    this.chains.set(resource, next);
  }

  async settled(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  private async apply(f: Fault): Promise<void> {
    this.injected.push(f.kind);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    switch (f.kind) {
      case 'agent-kill': {
        // A machine dying: the agent and the trials it runs (in their own process groups) go at once.
        const root = `${join(this.dir, 'agent-runs', f.agent)}/`;
        this.fleet.killAgent(f.agent);
        killTrialsOf(root);
        this.agentKills.push({ root, at: Date.now() });
        this.note(`SIGKILL agent ${f.agent} and its trials`);
        await sleep(f.restartAfterMs);
        if (!this.fleet.agentRunning(f.agent)) this.fleet.startAgent(f.agent, 2);
        this.note(`agent ${f.agent} restarted`);
        return;
      }
      case 'server-kill':
        this.fleet.killServer();
        this.note('SIGKILL server');
        await sleep(f.restartAfterMs);
        this.note('server restarting');
        if (!this.fleet.serverRunning) await this.fleet.startServer();
        this.note('server ready');
        return;
      case 'redis-restart-empty':
        await this.redis.kill();
        this.note('SIGKILL redis');
        await sleep(f.downMs);
        await this.redis.start();
        this.note('redis back, empty');
        return;
      case 'redis-pause':
        this.redis.pause();
        this.note('SIGSTOP redis');
        await sleep(f.forMs);
        this.redis.resume();
        this.note('SIGCONT redis');
        return;
      case 'pg-cut': {
        const n = this.pgProxy.cut(f.refuseMs);
        this.note(`cut ${n} postgres connections, refusing new ones for ${f.refuseMs} ms`);
        await sleep(f.refuseMs);
        return;
      }
      case 'redis-latency':
        this.redisProxy.setDelay(f.delayMs);
        this.note(`redis latency +${f.delayMs} ms`);
        await sleep(f.forMs);
        this.redisProxy.setDelay(0);
        this.note('redis latency off');
        return;
    }
  }
}
