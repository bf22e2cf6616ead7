import pg from 'pg';
import { openPostgresStore } from './src/index';
const URL = 'postgres://postgres@127.0.0.1:5432/test';
const N = 60, S = 1000;
const run = `hf_prof2_${process.pid}`;
const tid = (i: number) => `trial-${String(i).padStart(6, '0')}`;
const acc: Record<string, number> = {};
const orig = pg.Client.prototype.query;
// biome-ignore lint: profiling hack
(pg.Client.prototype as any).query = function (this: any, q: any, ...rest: any[]) {
  const name = typeof q === 'string' ? q.slice(0, 20) : (q.name ?? q.text?.slice(0, 20));
  const t = performance.now();
  const p = orig.call(this, q, ...rest) as any;
  if (p && typeof p.then === 'function') return p.then((r: unknown) => { acc[name] = (acc[name] ?? 0) + performance.now() - t; return r; });
  return p;
};
for (const sync of [true, false]) {
  const schema = `${run}_${sync}`;
  const s = await openPostgresStore({ connectionString: URL, schema, synchronousMetricCommit: sync });
  await s.createSweep({ id: 'b', name: null, status: 'running', method: 'r', metricName: null, goal: 'minimize', config: {}, seed: 1, createdAt: 1, finishedAt: null, reason: null });
  for (let i = 0; i < N; i++) await s.createTrial({ id: tid(i), sweepId: 'b', index: i, status: 'queued', params: {}, seed: 1, command: null, createdAt: 1, startedAt: null, endedAt: null, exitCode: null, signal: null, reason: null, metricValue: null, attempts: 0 });
  for (const k of Object.keys(acc)) delete acc[k];
  const t = performance.now();
  for (let i = 0; i < N; i++) await s.writeMetrics(Array.from({ length: S }, (_, st) => ({ trialId: tid(i), key: 'loss', step: st, value: 1 / (st + 1), timestamp: st })));
  const total = performance.now() - t;
  console.log({ sync, rate: Math.round(N * S / total * 1000), perCallMs: +(total / N).toFixed(2), ...Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, +(v / N).toFixed(2)])) });
  await s.close();
}
const c = new pg.Client({ connectionString: URL }); await c.connect();
const { rows } = await c.query(`select nspname from pg_namespace where nspname like $1`, [`${run}%`]);
for (const r of rows) await c.query(`drop schema "${r.nspname}" cascade`);
await c.end();
