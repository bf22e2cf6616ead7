import pg from 'pg';
import { openPostgresStore } from './src/index';
const URL = 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.N ?? 40), S = 1000;
const run = `hf_prof_${process.pid}`;
const tid = (i: number) => `trial-${String(i).padStart(6, '0')}`;
async function prep(name: string, sync = true) {
  const schema = `${run}_${name}`;
  const s = await openPostgresStore({ connectionString: URL, schema, synchronousMetricCommit: sync });
  await s.createSweep({ id: 'b', name: null, status: 'running', method: 'r', metricName: null, goal: 'minimize', config: {}, seed: 1, createdAt: 1, finishedAt: null, reason: null });
  for (let i = 0; i < N; i++) await s.createTrial({ id: tid(i), sweepId: 'b', index: i, status: 'queued', params: {}, seed: 1, command: null, createdAt: 1, startedAt: null, endedAt: null, exitCode: null, signal: null, reason: null, metricValue: null, attempts: 0 });
  return { s, schema };
}
const numArr = (xs: number[]) => `{${xs.join(',')}}`;
const txtArr = (xs: string[]) => `{${xs.map((x) => `"${x}"`).join(',')}}`;
async function raw(schema: string, sql: string, commitEach: boolean, async_ = false) {
  const c = new pg.Client({ connectionString: URL, options: `-c search_path=${schema}` });
  await c.connect();
  const t = performance.now();
  if (!commitEach) await c.query('BEGIN');
  for (let i = 0; i < N; i++) {
    if (commitEach) await c.query(async_ ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN');
    const steps = Array.from({ length: S }, (_, s) => s);
    await c.query({ name: 'x', text: sql, values: [txtArr(steps.map(() => tid(i))), txtArr(steps.map(() => 'loss')), numArr(steps), numArr(steps.map((s) => 1 / (s + 1))), numArr(steps)] });
    if (commitEach) await c.query('COMMIT');
  }
  if (!commitEach) await c.query('COMMIT');
  const ms = performance.now() - t;
  await c.end();
  return Math.round((N * S) / (ms / 1000));
}
const INS = 'INSERT INTO metric_points (trial_id, key, step, value, ts) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::bigint[])';
const UPS = INS + ' ON CONFLICT (trial_id, key, step) DO UPDATE SET value = EXCLUDED.value, ts = EXCLUDED.ts';
const out: Record<string, number> = {};
const best = (k: string, v: number) => { out[k] = Math.max(out[k] ?? 0, v); };
let round = 0;
for (let rep = 0; rep < Number(process.env.REPS ?? 5); rep++) {
  for (const [name, sql, each, as] of [['ins_1txn', INS, false, false], ['ins_commit_each', INS, true, false], ['ins_commit_each_async', INS, true, true]] as const) {
    const { s, schema } = await prep(`${name}_${round++}`); await s.close();
    best(name, await raw(schema, sql, each, as));
  }
  for (const sync of [true, false]) {
    const { s } = await prep(`store_${sync}_${round++}`, sync);
    const t = performance.now();
    for (let i = 0; i < N; i++) await s.writeMetrics(Array.from({ length: S }, (_, st) => ({ trialId: tid(i), key: 'loss', step: st, value: 1 / (st + 1), timestamp: st })));
    best(`store_sync_${sync}`, Math.round((N * S) / ((performance.now() - t) / 1000)));
    await s.close();
  }
}
console.log(out);
const c = new pg.Client({ connectionString: URL }); await c.connect();
const { rows } = await c.query(`select nspname from pg_namespace where nspname like $1`, [`${run}%`]);
for (const r of rows) await c.query(`drop schema "${r.nspname}" cascade`);
await c.end();
