/**
 * The scheduler's batch saves on Postgres, alone: 5,000 trials created in chunks of 250 (one row each), then
 * finished in batches of 100 (the trial row again, its attempt and its terminal event), as a fleet sweep with
 * every trial queued saves them. Prints the CPU per trial of this process and of Postgres (from /proc), min and
 * median over the rounds after the first. Which parts of a save cost what: switch them off.
 *
 *   node --import tsx bench/fleet-save.ts
 *   node --import tsx bench/fleet-save.ts --created-event        # + the `trial.created` event saved until 2026-11-28
 *   node --import tsx bench/fleet-save.ts --events=0             # no events at all
 *   node --import tsx bench/fleet-save.ts --drop=fk,status-index,rank-index,event-indexes
 *
 * Flags: trials (5000), rounds (8), pg (URL), created-event, events, drop.
 */
import { randomUUID } from 'node:crypto';
import type { TrialStatus } from '@hyperfleet/domain';
import { type AttemptRecord, type EventRecord, openStore, type TrialRecord } from '@hyperfleet/store';
import pg from 'pg';
import { cpuMeter } from './cpu-meter';
import { flag } from './fleet-env';

const TRIALS = Number(flag('trials', '5000'));
const ROUNDS = Number(flag('rounds', '8'));
const PG_URL = flag('pg', 'postgres://postgres@127.0.0.1:5432/test');
const CREATED_EVENT = flag('created-event', 'false') === 'true';
const EVENTS = flag('events', '1') !== '0';
const DROP = new Set(flag('drop', '').split(',').filter(Boolean));

const schema = `hf_bench_save_${randomUUID().slice(0, 8)}`;
const store = await openStore(`${PG_URL}?schema=${schema}`);
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
const drops: Record<string, string[]> = {
  fk: [
    'ALTER TABLE trials DROP CONSTRAINT trials_sweep_id_fkey',
    'ALTER TABLE attempts DROP CONSTRAINT attempts_trial_id_fkey',
  ],
  'status-index': ['DROP INDEX trials_status'],
  'rank-index': ['DROP INDEX trials_rank'],
  'event-indexes': ['DROP INDEX events_by_sweep', 'DROP INDEX events_by_trial'],
};
for (const what of DROP) {
  const statements = drops[what];
  if (!statements) throw new Error(`--drop=${what}: expected some of ${Object.keys(drops).join(', ')}`);
  for (const sql of statements) await admin.query(`SET search_path = "${schema}"; ${sql}`);
}

function trial(sweepId: string, i: number, status: TrialStatus, now: number): TrialRecord {
  const done = status !== 'queued';
  return {
    id: `${sweepId}-${i}`,
    sweepId,
    index: i,
    status,
    params: { x: i / TRIALS },
    seed: 1000 + i,
    command: ['python3', 'noop.py', `--x=${i / TRIALS}`],
    createdAt: now,
    startedAt: done ? now : null,
    endedAt: done ? now : null,
    exitCode: done ? 0 : null,
    signal: null,
    reason: null,
    metricValue: done ? i / TRIALS : null,
    attempts: done ? 1 : 0,
  };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);
const controller: number[] = [];
const postgres: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const sweepId = `s${round}`;
    const now = Date.now();
    await store.createSweep({
      id: sweepId,
      name: null,
      status: 'running',
      method: 'random',
      metricName: 'loss',
      goal: 'minimize',
      config: {},
      seed: 1,
      createdAt: now,
      finishedAt: null,
      reason: null,
    });
    const event = (i: number, type: string, data: unknown): EventRecord => ({
      at: now,
      sweepId,
      trialId: `${sweepId}-${i}`,
      type,
      actor: null,
      data,
    });
    const meter = cpuMeter();
    for (let c = 0; c < TRIALS; c += 250) {
      const ids = range(c, Math.min(250, TRIALS - c));
      await store.saveBatch({
        trials: ids.map((i) => trial(sweepId, i, 'queued', now)),
        attempts: [],
        events:
          EVENTS && CREATED_EVENT
            ? ids.map((i) => event(i, 'trial.created', { index: i, params: { x: i / TRIALS }, seed: 1000 + i }))
            : [],
      });
    }
    for (let c = 0; c < TRIALS; c += 100) {
      const ids = range(c, Math.min(100, TRIALS - c));
      const attempt = (i: number): AttemptRecord => ({
        trialId: `${sweepId}-${i}`,
        attempt: 1,
        worker: 'bench-agent-1',
        status: 'succeeded',
        startedAt: now,
        endedAt: now,
        exitCode: 0,
        signal: null,
        reason: null,
      });
      const ending = { reason: null, exitCode: 0, signal: null, durationMs: 0, malformedLines: 0 };
      await store.saveBatch({
        trials: ids.map((i) => trial(sweepId, i, 'succeeded', now)),
        attempts: ids.map(attempt),
        events: EVENTS ? ids.map((i) => event(i, 'trial.succeeded', ending)) : [],
      });
    }
    const spent = meter.stop();
    // The first round warms the JIT and the server's plan caches.
    if (round === 0) continue;
    controller.push((spent.controller * 1000) / TRIALS);
    postgres.push((spent.postgres * 1000) / TRIALS);
  }
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0]?.toFixed(3)}, median ${s[Math.floor((s.length - 1) / 2)]?.toFixed(3)}`;
};
const what = [CREATED_EVENT && 'with trial.created', !EVENTS && 'no events', DROP.size && `dropped ${[...DROP]}`]
  .filter(Boolean)
  .join(', ');
console.log(`batch saves, ${TRIALS} trials × ${ROUNDS - 1} rounds${what ? ` (${what})` : ''}`);
console.log(`CPU ms per trial: Postgres ${stats(postgres)}; this process ${stats(controller)}`);
