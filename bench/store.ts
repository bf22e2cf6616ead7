/**
 * Store benchmark: metric write throughput through TrackingStore.writeMetrics vs the raw driver's best
 * bulk insert into the same table, on SQLite and Postgres; plus two reads (rank 10k trials, read a
 * 10k-point curve).
 *
 *   node --import tsx bench/store.ts                       # 1,000 trials × 1,000 steps, both backends
 *   node --import tsx bench/store.ts --trials=50 --read-trials=1000 --curve=2000   # quick
 *   node --import tsx bench/store.ts --shape=100x100 --backends=sqlite
 *
 * Flags (or env BENCH_<NAME>, e.g. BENCH_TRIALS): trials, steps, shape (<trials>x<steps> per
 * writeMetrics call), backends (sqlite,postgres), pg (URL), read-trials, curve, reps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricPoint } from '@hyperfleet/domain';
import type { TrackingStore } from '@hyperfleet/store';
import { openPostgresStore, openSqliteStore } from '@hyperfleet/store';
import Database from 'better-sqlite3';
import pg from 'pg';

function opt(name: string, fallback: string): string {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback;
}

const TRIALS = Number(opt('trials', '1000'));
const STEPS = Number(opt('steps', '1000'));
const [SHAPE_TRIALS, SHAPE_STEPS] = opt('shape', '1x1000').split('x').map(Number) as [number, number];
const BACKENDS = opt('backends', 'sqlite,postgres').split(',');
const PG_URL = opt('pg', 'postgres://postgres@127.0.0.1:5432/test');
const READ_TRIALS = Number(opt('read-trials', '10000'));
const CURVE = Number(opt('curve', '10000'));
const REPS = Number(opt('reps', '5'));
const RAW_ROWS = 1000; // rows per multi-row statement in the raw baselines

const T0 = 1_700_000_000_000;
const tid = (i: number) => `trial-${String(i).padStart(6, '0')}`;

/** The points, in the order a live fleet would send them: calls of SHAPE_TRIALS trials × SHAPE_STEPS steps. */
function makeCalls(): MetricPoint[][] {
  const calls: MetricPoint[][] = [];
  for (let s0 = 0; s0 < STEPS; s0 += SHAPE_STEPS) {
    for (let t0 = 0; t0 < TRIALS; t0 += SHAPE_TRIALS) {
      const call: MetricPoint[] = [];
      for (let t = t0; t < Math.min(t0 + SHAPE_TRIALS, TRIALS); t++) {
        for (let s = s0; s < Math.min(s0 + SHAPE_STEPS, STEPS); s++) {
          call.push({
            trialId: tid(t),
            key: 'loss',
            step: s,
            value: Math.exp(-s / 300) + (t % 97) / 1000,
            timestamp: T0 + s,
          });
        }
      }
      calls.push(call);
    }
  }
  return calls;
}

async function seed(store: TrackingStore, sweepId: string, n: number, metric?: (i: number) => number | null) {
  await store.createSweep({
    id: sweepId,
    name: null,
    status: 'running',
    method: 'random',
    metricName: 'loss',
    goal: 'minimize',
    config: { method: 'random' },
    seed: 1,
    createdAt: T0,
    finishedAt: null,
    reason: null,
  });
  for (let i = 0; i < n; i++) {
    await store.createTrial({
      id: sweepId === 'bench' ? tid(i) : `${sweepId}-${i}`,
      sweepId,
      index: i,
      status: 'succeeded',
      params: { lr: 0.001 * (i + 1), layers: 1 + (i % 4) },
      seed: i,
      command: ['node', 'train.js'],
      createdAt: T0 + i,
      startedAt: null,
      endedAt: null,
      exitCode: 0,
      signal: null,
      reason: null,
      metricValue: metric ? metric(i) : null,
      attempts: 1,
    });
  }
}

const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeStoreWrites(store: TrackingStore, calls: MetricPoint[][]): Promise<number> {
  const start = now();
  for (const call of calls) await store.writeMetrics(call);
  return (now() - start) / 1000;
}

async function reads(store: TrackingStore) {
  await seed(store, 'ranked', READ_TRIALS, (i) =>
    i % 50 === 0 ? null : i % 77 === 0 ? Number.NaN : ((i * 7919) % 10007) / 10007,
  );
  await seed(store, 'curve', 1);
  const curve = Array.from({ length: CURVE }, (_, s) => ({
    trialId: 'curve-0',
    key: 'loss',
    step: s,
    value: 1 / (s + 1),
    timestamp: T0 + s,
  }));
  await store.writeMetrics(curve);
  const timeIt = async (fn: () => Promise<unknown>) => {
    await fn(); // warm up (statement caches, page cache)
    const xs: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t = now();
      await fn();
      xs.push(now() - t);
    }
    return median(xs);
  };
  return {
    rankAll: await timeIt(async () => {
      const r = await store.listTrials('ranked', { rankBy: 'maximize' });
      if (r.length !== READ_TRIALS) throw new Error('rank returned the wrong count');
    }),
    rankTop10: await timeIt(() => store.listTrials('ranked', { rankBy: 'maximize', limit: 10 })),
    curve: await timeIt(async () => {
      const h = await store.getMetricHistory('curve-0', 'loss');
      if (h.length !== CURVE) throw new Error('curve returned the wrong count');
    }),
    curveDown: await timeIt(() => store.getMetricHistory('curve-0', 'loss', { maxPoints: 1000 })),
  };
}

// ---------- SQLite ----------

function rawSqliteMultiRow(file: string, points: MetricPoint[]): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const sqlFor = (rows: number) =>
    `INSERT INTO metric_points (trial_id, key, step, value, ts) VALUES ${new Array(rows).fill('(?, ?, ?, ?, ?)').join(', ')}`;
  const full = db.prepare(sqlFor(RAW_ROWS));
  const start = now();
  db.transaction(() => {
    for (let i = 0; i < points.length; i += RAW_ROWS) {
      const chunk = points.slice(i, i + RAW_ROWS);
      const params: unknown[] = [];
      for (const p of chunk) params.push(p.trialId, p.key, p.step, p.value, p.timestamp);
      (chunk.length === RAW_ROWS ? full : db.prepare(sqlFor(chunk.length))).run(params);
    }
  })();
  const secs = (now() - start) / 1000;
  db.close();
  return secs;
}

function rawSqliteSingleRow(file: string, points: MetricPoint[]): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const stmt = db.prepare('INSERT INTO metric_points (trial_id, key, step, value, ts) VALUES (?, ?, ?, ?, ?)');
  const start = now();
  db.transaction(() => {
    for (const p of points) stmt.run(p.trialId, p.key, p.step, p.value, p.timestamp);
  })();
  const secs = (now() - start) / 1000;
  db.close();
  return secs;
}

async function benchSqlite(calls: MetricPoint[][], points: MetricPoint[]) {
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-store-'));
  try {
    // Same schema (migrations, keys, indexes) for the raw runs: open through the store, seed, close.
    const prepared = async (name: string) => {
      const file = join(dir, name);
      const s = await openSqliteStore(file);
      await seed(s, 'bench', TRIALS);
      await s.close();
      return file;
    };
    const rawMulti = rawSqliteMultiRow(await prepared('raw-multi.db'), points);
    const rawSingle = rawSqliteSingleRow(await prepared('raw-single.db'), points);
    const store = await openSqliteStore(join(dir, 'store.db'));
    await seed(store, 'bench', TRIALS);
    const storeSecs = await timeStoreWrites(store, calls);
    const r = await reads(store);
    await store.close();
    return {
      backend: 'sqlite',
      storeSecs,
      raw: [
        { how: `multi-row INSERT ×${RAW_ROWS}, 1 txn`, secs: rawMulti },
        { how: 'single-row prepared INSERT, 1 txn', secs: rawSingle },
      ],
      reads: r,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- Postgres ----------

const numArr = (xs: number[]) => `{${xs.join(',')}}`;
const txtArr = (xs: string[]) => `{${xs.map((x) => `"${x.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;

async function rawPg(schema: string, points: MetricPoint[], how: 'unnest' | 'values'): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  const rows = how === 'unnest' ? 10_000 : RAW_ROWS;
  const valuesSql = `INSERT INTO metric_points (trial_id, key, step, value, ts) VALUES ${Array.from(
    { length: rows },
    (_, i) => `($${5 * i + 1}, $${5 * i + 2}, $${5 * i + 3}, $${5 * i + 4}, $${5 * i + 5})`,
  ).join(', ')}`;
  const unnestSql =
    'INSERT INTO metric_points (trial_id, key, step, value, ts) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::bigint[])';
  const start = now();
  await client.query('BEGIN');
  for (let i = 0; i < points.length; i += rows) {
    const chunk = points.slice(i, i + rows);
    if (how === 'unnest') {
      await client.query({
        name: 'raw_unnest',
        text: unnestSql,
        values: [
          txtArr(chunk.map((p) => p.trialId)),
          txtArr(chunk.map((p) => p.key)),
          numArr(chunk.map((p) => p.step)),
          numArr(chunk.map((p) => p.value)),
          numArr(chunk.map((p) => p.timestamp)),
        ],
      });
    } else {
      if (chunk.length !== rows) throw new Error('points must be a multiple of the VALUES batch');
      const values: unknown[] = [];
      for (const p of chunk) values.push(p.trialId, p.key, p.step, p.value, p.timestamp);
      await client.query({ name: 'raw_values', text: valuesSql, values });
    }
  }
  await client.query('COMMIT');
  const secs = (now() - start) / 1000;
  await client.end();
  return secs;
}

async function benchPostgres(calls: MetricPoint[][], points: MetricPoint[]) {
  const run = `hf_bench_${process.pid}_${Date.now().toString(36)}`;
  const schemas: string[] = [];
  const prepared = async (suffix: string) => {
    const schema = `${run}_${suffix}`;
    schemas.push(schema);
    const s = await openPostgresStore({ connectionString: PG_URL, schema });
    await seed(s, 'bench', TRIALS);
    await s.close();
    return schema;
  };
  try {
    const rawUnnest = await rawPg(await prepared('raw_unnest'), points, 'unnest');
    const rawValues =
      points.length % RAW_ROWS === 0 ? await rawPg(await prepared('raw_values'), points, 'values') : Number.NaN;
    const raw = [
      { how: 'unnest() ×10000 rows, 1 txn', secs: rawUnnest },
      { how: `multi-row INSERT ×${RAW_ROWS}, 1 txn`, secs: rawValues },
    ];
    const storeRun = async (suffix: string, synchronousMetricCommit: boolean, withReads: boolean) => {
      const schema = `${run}_${suffix}`;
      schemas.push(schema);
      const store = await openPostgresStore({ connectionString: PG_URL, schema, synchronousMetricCommit });
      await seed(store, 'bench', TRIALS);
      const storeSecs = await timeStoreWrites(store, calls);
      const r = withReads ? await reads(store) : null;
      await store.close();
      return { storeSecs, r };
    };
    // Default (every metric batch waits for the WAL fsync), then the opt-in async commit.
    const dflt = await storeRun('store', true, true);
    const async_ = await storeRun('store_async', false, false);
    return [
      { backend: 'postgres', storeSecs: dflt.storeSecs, raw, reads: dflt.r! },
      { backend: 'postgres (synchronousMetricCommit: false)', storeSecs: async_.storeSecs, raw, reads: null },
    ];
  } finally {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await c.end();
  }
}

// ---------- main ----------

const calls = makeCalls();
const points = calls.flat();
console.log(
  `store bench: ${points.length.toLocaleString('en-US')} points = ${TRIALS} trials × ${STEPS} steps, ` +
    `writeMetrics calls of ${SHAPE_TRIALS} trial(s) × ${SHAPE_STEPS} steps (${calls.length} calls); ` +
    `reads: rank ${READ_TRIALS} trials, ${CURVE}-point curve (median of ${REPS}); node ${process.version}`,
);

const results: {
  backend: string;
  storeSecs: number;
  raw: { how: string; secs: number }[];
  reads: Awaited<ReturnType<typeof reads>> | null;
}[] = [];
for (const b of BACKENDS) {
  if (b === 'sqlite') results.push(await benchSqlite(calls, points));
  else if (b === 'postgres') results.push(...(await benchPostgres(calls, points)));
  else throw new Error(`unknown backend ${b}`);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rows: string[][] = [
  [
    'backend',
    'store pts/s',
    'raw best pts/s',
    'ratio',
    'raw method (best of)',
    'rank all (ms)',
    'rank top10 (ms)',
    'curve (ms)',
    'curve→1000 (ms)',
  ],
];
for (const r of results) {
  const best = r.raw.filter((x) => Number.isFinite(x.secs)).sort((a, b) => a.secs - b.secs)[0]!;
  const storeRate = points.length / r.storeSecs;
  const rawRate = points.length / best.secs;
  rows.push([
    r.backend,
    fmt(storeRate),
    fmt(rawRate),
    (storeRate / rawRate).toFixed(2),
    best.how,
    r.reads?.rankAll.toFixed(1) ?? '-',
    r.reads?.rankTop10.toFixed(1) ?? '-',
    r.reads?.curve.toFixed(1) ?? '-',
    r.reads?.curveDown.toFixed(1) ?? '-',
  ]);
  if (r.reads)
    // the raw baselines are shared by the two Postgres rows: print them once
    for (const x of r.raw)
      console.log(`  ${r.backend} raw ${x.how}: ${fmt(points.length / x.secs)} pts/s (${x.secs.toFixed(2)} s)`);
  console.log(`  ${r.backend} store writeMetrics: ${fmt(storeRate)} pts/s (${r.storeSecs.toFixed(2)} s)`);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const [i, r] of rows.entries()) {
  console.log(`| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`);
  if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
}
console.log('targets: store ≥ 0.7 × raw on both backends; SQLite store ≥ 100,000 pts/s');
