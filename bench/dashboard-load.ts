/**
 * Dashboard page load: a sweep of 1,000 trials × 1,000 steps seeded straight into a SQLite store, served by
 * the controller's dashboard server (static build + socket.io gateway), opened in Debian's chromium. Times,
 * from navigation start: the snapshot received, the ranked table drawn, the learning curves drawn
 * (marks the UI sets in services/dashboard/app/probe.ts). Target: table and curves < 2 s.
 *
 *   node --import tsx bench/dashboard-load.ts                 # 1,000 × 1,000, 5 loads
 *   node --import tsx bench/dashboard-load.ts --trials=200 --steps=200 --reps=3
 *   node --import tsx bench/dashboard-load.ts --join-sizes=1 --marks=1   # + gateway time per curve size, raw marks
 *
 * Then, with the 1,000-trial page open, `--stream` points/s (default 5,000; 0 = skip) go into the gateway through
 * the runtime hooks the sweep runner would call, spread over the 50 running trials, for `--stream-seconds`:
 * frames/s, long tasks, and how long a click (re-sort the table) takes to reach the next frame.
 *
 * Needs the build (npm run build -w @hyperfleet/dashboard; `npm ci` makes it) and /usr/bin/chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboardServer } from '@hyperfleet/controller';
import { type MetricPoint, requireValidConfig, validateSweepConfig } from '@hyperfleet/domain';
import { openSqliteStore } from '@hyperfleet/store';
import { createInProcessTransport } from '@hyperfleet/transport';
import { chromium } from 'playwright-core';
import { io } from 'socket.io-client';

function opt(name: string, fallback: string): string {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  return process.env[`BENCH_${name.toUpperCase()}`] ?? fallback;
}
const TRIALS = Number(opt('trials', '1000'));
const STEPS = Number(opt('steps', '1000'));
const REPS = Number(opt('reps', '5'));
const CHROMIUM = opt('chromium', '/usr/bin/chromium');
/** Then, with the big sweep open: points/s pushed into the gateway (its runtime hooks) for `stream-seconds`. */
const STREAM = Number(opt('stream', '5000'));
const STREAM_S = Number(opt('stream-seconds', '10'));

const T0 = Date.now() - 3_600_000;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const isRunning = (i: number) => i % 20 === 0;

async function seed(dbPath: string): Promise<string> {
  const store = await openSqliteStore(dbPath);
  const config = requireValidConfig(
    validateSweepConfig({
      name: 'load-bench',
      method: 'random',
      program: 'train.py',
      metric: { name: 'loss', goal: 'minimize' },
      run_cap: TRIALS,
      early_terminate: { type: 'hyperband', min_iter: 10, eta: 3 },
      parameters: {
        lr: { distribution: 'log_uniform_values', min: 1e-5, max: 1 },
        hidden: { distribution: 'int_uniform', min: 8, max: 512 },
        dropout: { min: 0, max: 0.5 },
        optimizer: { values: ['sgd', 'adam', 'adamw'] },
      },
    }),
  );
  const sweepId = 'loadbench';
  await store.createSweep({
    id: sweepId,
    name: 'load-bench',
    status: 'running',
    method: 'random',
    metricName: 'loss',
    goal: 'minimize',
    config,
    seed: 1,
    createdAt: T0,
    finishedAt: null,
    reason: null,
  });
  let rnd = 12345;
  const rand = () => {
    rnd = (rnd * 1103515245 + 12345) % 2147483648;
    return rnd / 2147483648;
  };
  const started = Date.now();
  for (let i = 0; i < TRIALS; i++) {
    const id = `${sweepId}-${i}`;
    const lr = 10 ** (-5 + 5 * rand());
    const floor = 0.05 + Math.abs(Math.log10(lr) + 2.5) * 0.1 + rand() * 0.05;
    const status = isRunning(i) ? 'running' : i % 7 === 0 ? 'stopped' : 'succeeded';
    const points: MetricPoint[] = [];
    let best = Number.POSITIVE_INFINITY;
    for (let step = 0; step < STEPS; step++) {
      const value = floor + 2 / (1 + step * 0.05) + (rand() - 0.5) * 0.02;
      best = Math.min(best, value);
      points.push({ trialId: id, key: 'loss', step, value, timestamp: T0 + step * 1000 });
    }
    await store.createTrial({
      id,
      sweepId,
      index: i,
      status,
      params: {
        lr,
        hidden: 8 + Math.floor(rand() * 504),
        dropout: rand() * 0.5,
        optimizer: ['sgd', 'adam', 'adamw'][i % 3]!,
      },
      seed: i,
      command: ['python', 'train.py'],
      createdAt: T0 + i,
      startedAt: T0 + i,
      endedAt: status === 'running' ? null : T0 + i + STEPS * 1000,
      exitCode: status === 'succeeded' ? 0 : null,
      signal: null,
      reason: status === 'stopped' ? 'hyperband: rung 2 (step 90): loss above the cutoff' : null,
      metricValue: best,
      attempts: 1,
    });
    await store.writeMetrics(points);
  }
  process.stderr.write(`seeded ${TRIALS} trials × ${STEPS} steps in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  await store.close();
  return sweepId;
}

/** The gateway's share: connect, emit sweep:join as the page does, wait for the ack (node socket.io-client). */
async function timeJoin(url: string, sweepId: string, maxPointsPerCurve = 100): Promise<number> {
  const socket = io(url, { transports: ['websocket'] });
  try {
    await new Promise<void>((ok, fail) => {
      socket.once('connect', () => ok());
      socket.once('connect_error', fail);
    });
    const t = performance.now();
    await new Promise<void>((ok, fail) =>
      socket.emit('sweep:join', { sweepId, maxPointsPerCurve }, (r: { ok: boolean }) =>
        r.ok ? ok() : fail(new Error('join failed')),
      ),
    );
    return performance.now() - t;
  } finally {
    socket.close();
  }
}

interface StreamResult {
  fps: number;
  longTasks: number[];
  clicks: number[];
  sent: number;
  received: number;
}

type Browser = Awaited<ReturnType<typeof chromium.launch>>;
type Server = Awaited<ReturnType<typeof startDashboardServer>>;

const heldPoints = `window.__hyperfleet.curves().reduce((n, c) => n + c.length, 0)`;

async function streamPhase(browser: Browser, server: Server, sweepId: string): Promise<StreamResult> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await ctx.addInitScript(`
    window.__bench = { on: false, frames: 0, longTasks: [] };
    new PerformanceObserver((l) => { if (window.__bench.on) for (const e of l.getEntries()) window.__bench.longTasks.push(e.duration); })
      .observe({ type: 'longtask' });
    const loop = () => { if (window.__bench.on) window.__bench.frames++; requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  `);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/sweeps/${sweepId}`);
  await page.waitForFunction('window.__hyperfleet?.marks?.curvesDrawn', null, { timeout: 60_000 });
  await new Promise((r) => setTimeout(r, 500));
  const before = (await page.evaluate(heldPoints)) as number;
  const running = Array.from({ length: TRIALS }, (_, i) => i).filter(isRunning);
  const next = new Map(running.map((i) => [i, STEPS]));
  const perTick = Math.round((STREAM * 20) / 1000);
  let sent = 0;
  let cursor = 0;
  await page.evaluate('window.__bench.on = true');
  const t0 = Date.now();
  const clicks: number[] = [];
  const timer = setInterval(() => {
    const now = Date.now();
    const owed = Math.floor((STREAM * (now - t0)) / 1000) - sent;
    const points: MetricPoint[] = [];
    for (let k = 0; k < Math.min(owed, perTick * 5); k++) {
      const i = running[cursor++ % running.length]!;
      const step = next.get(i)!;
      next.set(i, step + 1);
      points.push({ trialId: `${sweepId}-${i}`, key: 'loss', step, value: 0.05 + Math.random() * 0.3, timestamp: now });
    }
    sent += points.length;
    server.hooks.onMetrics?.(sweepId, points);
  }, 20);
  try {
    for (let c = 0; c < 5; c++) {
      await new Promise((r) => setTimeout(r, (STREAM_S * 1000) / 6));
      // Input → next frame while streaming: a sort click handled and painted.
      clicks.push(
        (await page.evaluate(`new Promise((resolve) => {
          const t = performance.now();
          document.querySelector('th[data-col="${c % 2 ? 'best' : 'rank'}"] button').click();
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t)));
        })`)) as number,
      );
    }
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + STREAM_S * 1000 - Date.now())));
  } finally {
    clearInterval(timer);
  }
  await new Promise((r) => setTimeout(r, 1000));
  const b = (await page.evaluate('window.__bench.on = false, window.__bench')) as {
    frames: number;
    longTasks: number[];
  };
  const after = (await page.evaluate(heldPoints)) as number;
  await page.screenshot({ path: join(tmpdir(), 'hf-dashboard-load-streaming.png') });
  await ctx.close();
  return { fps: b.frames / (STREAM_S + 1), longTasks: b.longTasks, clicks, sent, received: after - before };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-dash-load-'));
  try {
    const sweepId = await seed(join(dir, 'hf.db'));
    const store = await openSqliteStore(join(dir, 'hf.db'));
    const transport = createInProcessTransport();
    const server = await startDashboardServer({ store, logs: transport.logs, port: 0 });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    const rows: { snapshot: number; table: number; curves: number; wall: number; bytes: number }[] = [];
    let streamed: StreamResult | null = null;
    let joins: number[] = [];
    let cold: (typeof rows)[number] | null = null;
    try {
      for (let rep = 0; rep < REPS + 1; rep++) {
        // A fresh context each time: no HTTP cache, a first visit. Rep 0 is the first load after the server
        // started (cold: SQLite pages, the gateway's curve cache); the others are warm.
        const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
        const page = await ctx.newPage();
        let bytes = 0;
        page.on('websocket', (ws) =>
          ws.on(
            'framereceived',
            (f) => (bytes += typeof f.payload === 'string' ? f.payload.length : f.payload.byteLength),
          ),
        );
        const t = Date.now();
        await page.goto(`${server.url}/sweeps/${sweepId}`);
        const marks = (await (
          await page.waitForFunction(
            'window.__hyperfleet?.marks?.tableDrawn && window.__hyperfleet.marks.curvesDrawn && window.__hyperfleet.marks',
            null,
            { timeout: 60_000, polling: 16 },
          )
        ).jsonValue()) as Record<string, number>;
        const wall = Date.now() - t;
        if (opt('marks', '') === '1') console.error(JSON.stringify(marks));
        const row = {
          snapshot: marks.sweepSnapshot!,
          table: marks.tableDrawn!,
          curves: marks.curvesDrawn!,
          wall,
          bytes,
        };
        if (rep === 0) cold = row;
        else rows.push(row);
        if (rep === REPS) await page.screenshot({ path: join(tmpdir(), 'hf-dashboard-load.png') });
        await ctx.close();
      }
      if (STREAM > 0) streamed = await streamPhase(browser, server, sweepId);
      joins = [];
      for (let rep = 0; rep < 3; rep++) joins.push(await timeJoin(server.url, sweepId));
      if (opt('join-sizes', '') === '1') {
        for (const n of [20, 100, 200, 500]) {
          const t: number[] = [];
          for (let rep = 0; rep < 3; rep++) t.push(await timeJoin(server.url, sweepId, n));
          console.log(`sweep:join maxPointsPerCurve=${n}: ${t.map((x) => x.toFixed(0)).join(', ')} ms`);
        }
      }
    } finally {
      await browser.close();
      await server.close();
      await transport.close();
      await store.close();
    }
    const col = (k: keyof (typeof rows)[number]) => rows.map((r) => r[k]);
    const fmt = (xs: number[]) =>
      `${pct(xs, 50).toFixed(0).padStart(6)} ${Math.max(...xs)
        .toFixed(0)
        .padStart(6)}`;
    console.log(
      `\ndashboard page load — ${TRIALS} trials × ${STEPS} steps, ${REPS} loads (fresh browser context each)`,
    );
    if (cold) {
      const c = cold as (typeof rows)[number];
      console.log(
        `first load after the server started (cold): snapshot ${c.snapshot.toFixed(0)} ms, table ${c.table.toFixed(0)} ms, curves ${c.curves.toFixed(0)} ms, wall ${c.wall} ms`,
      );
    }
    console.log('warm loads, ms since navigation start  p50    max');
    console.log(`sweep:join ack, node client  ${fmt(joins)}   (the gateway's snapshot alone, no browser; warm)`);
    console.log(`snapshot received            ${fmt(col('snapshot'))}`);
    console.log(`ranked table drawn           ${fmt(col('table'))}`);
    console.log(`learning curves drawn        ${fmt(col('curves'))}`);
    console.log(`goto → both drawn (wall)     ${fmt(col('wall'))}`);
    console.log(`snapshot over the socket: ${(pct(col('bytes'), 50) / 1e6).toFixed(2)} MB`);
    const worst = Math.max(...col('table'), ...col('curves'), cold ? (cold as (typeof rows)[number]).curves : 0);
    console.log(`target < 2000 ms: ${worst < 2000 ? 'met' : 'MISSED'} (worst ${worst.toFixed(0)} ms)`);
    if (streamed) {
      const r = streamed;
      console.log(
        `\nthe same page while ${STREAM} points/s stream in (${STREAM_S} s, 50 running trials, via the gateway)`,
      );
      console.log(
        `frames/s ${r.fps.toFixed(1)}; long tasks (>50 ms) ${r.longTasks.length}, longest ${r.longTasks.length ? Math.max(...r.longTasks).toFixed(0) : 0} ms`,
      );
      console.log(
        `click (re-sort the table) → next frame: p50 ${pct(r.clicks, 50).toFixed(0)} ms, max ${Math.max(...r.clicks).toFixed(0)} ms`,
      );
      console.log(
        `points appended to the page's curves ${r.received} of ${r.sent} sent (${((100 * r.received) / r.sent).toFixed(1)} %)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
