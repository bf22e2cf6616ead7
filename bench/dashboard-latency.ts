/**
 * Dashboard latency: a point logged in a trial → drawn in the browser, at 5,000 points/s in total.
 *
 * A real embedded sweep (`hyperfleet run sweep.yaml --dashboard 0`, the real CLI as a child process) runs
 * `--trials` trials at once; each appends `--rate` points/s to its metrics file, and the value of each point is
 * the wall-clock time (ms) at which it was written. The sweep page (Debian's chromium, curves set to draw every
 * trial) calls a probe from uPlot's draw hook with the points drawn for the first time; latency = Date.now() at
 * draw − the point's value (one machine, one clock). The path measured: metrics file → runner tail → metric
 * stream → ingest → gateway buffer (flushed every 150 ms, volatile) → socket.io → model → rAF → uPlot draw.
 * Also reported: points drawn vs written (volatile drops), frames per second and long tasks while streaming.
 * Target: p99 ≤ 500 ms.
 *
 *   node --import tsx bench/dashboard-latency.ts                      # 20 trials × 250 points/s, 15 s measured
 *   node --import tsx bench/dashboard-latency.ts --trials=10 --rate=100 --seconds=8
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

function opt(name: string, fallback: string): string {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  return process.env[`BENCH_${name.toUpperCase()}`] ?? fallback;
}
const TRIALS = Number(opt('trials', '20'));
const RATE = Number(opt('rate', '250'));
const SECONDS = Number(opt('seconds', '15'));
const WARMUP_S = 3;
const CHROMIUM = opt('chromium', '/usr/bin/chromium');
const CLI = resolve(import.meta.dirname, '..', 'apps', 'cli', 'bin', 'hyperfleet.js');

// The trial: `rate` points/s written in ~20 ms ticks, each point's value = the ms timestamp it was written at.
const STREAM = `import { appendFileSync } from 'node:fs';
const arg = (n, d) => Number(process.argv.find((a) => a.startsWith('--' + n + '='))?.split('=')[1] ?? d);
const rate = arg('rate', 250), seconds = arg('seconds', 20), file = process.env.HYPERFLEET_METRICS_FILE;
const end = Date.now() + seconds * 1000;
const start = Date.now();
let step = 0;
const tick = () => {
  // Owed points follow the clock, not the tick count: late timers under load must not lower the rate.
  const now = Date.now();
  const owed = Math.floor((rate * (now - start)) / 1000) - step;
  let lines = '';
  for (let i = 0; i < owed; i++) lines += JSON.stringify({ step: step++, ts: now, metrics: { t: now } }) + '\\n';
  if (lines) appendFileSync(file, lines);
  if (now < end) setTimeout(tick, 20);
};
tick();
`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-dash-lat-'));
  let cli: ChildProcess | null = null;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    writeFileSync(join(dir, 'stream.mjs'), STREAM);
    const runSeconds = WARMUP_S + SECONDS + 12;
    writeFileSync(
      join(dir, 'sweep.yaml'),
      [
        'name: latency-bench',
        'program: stream.mjs',
        'method: random',
        'metric: {name: t, goal: maximize}',
        `run_cap: ${TRIALS}`,
        `parallel: ${TRIALS}`,
        'parameters:',
        '  k: {distribution: int_uniform, min: 0, max: 1000000000}',
        `  rate: {value: ${RATE}}`,
        `  seconds: {value: ${runSeconds}}`,
        '',
      ].join('\n'),
    );
    cli = spawn(
      process.execPath,
      [CLI, 'run', 'sweep.yaml', '--dashboard', '0', '--store', join(dir, 'hf.db'), '--untracked', 'warn'],
      {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    cli.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    cli.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      url = /^dashboard: (http\S+)/m.exec(out)?.[1];
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!url) throw new Error(`no dashboard URL from hyperfleet run:\n${out}`);

    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await ctx.addInitScript(`
      window.__bench = { start: Infinity, end: Infinity, lat: [], frames: 0, longTasks: [] };
      window.__hyperfleet = { marks: {}, onDraw: (id, values) => {
        const now = Date.now(), b = window.__bench;
        for (let i = 0; i < values.length; i++) { const v = values[i]; if (v >= b.start && v < b.end) b.lat.push(now - v); }
      } };
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (window.__bench.start < Date.now()) window.__bench.longTasks.push(e.duration); })
        .observe({ type: 'longtask', buffered: false });
      const loop = () => { const b = window.__bench, now = Date.now(); if (now >= b.start && now < b.end + 1000) b.frames++; requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
    `);
    const page = await ctx.newPage();
    await page.goto(`${url}?top=50`);
    await page.waitForFunction(`document.querySelectorAll('tr[data-status="running"]').length >= ${TRIALS}`, null, {
      timeout: 60_000,
    });
    const start = Date.now() + WARMUP_S * 1000;
    const end = start + SECONDS * 1000;
    await page.evaluate(`window.__bench.start = ${start}; window.__bench.end = ${end};`);
    type CurveCount = { trialId: string; length: number; lastStep: number | null };
    const counts = async () => (await page.evaluate('window.__hyperfleet.curves()')) as CurveCount[];
    // Curves as they stand after the (downsampled) snapshot and the first live points: gaps are counted after it.
    const atStart = new Map((await counts()).map((c) => [c.trialId, c]));
    await new Promise((r) => setTimeout(r, end - Date.now() + 2000)); // + 2 s for the last points to arrive
    const b = (await page.evaluate('window.__bench')) as { lat: number[]; frames: number; longTasks: number[] };
    // Steps run 0, 1, 2, … in every trial: a curve that grew by fewer points than its last step did lost some.
    let held = 0;
    let missing = 0;
    for (const c of await counts()) {
      const s0 = atStart.get(c.trialId);
      const grew = c.length - (s0?.length ?? 0);
      held += grew;
      missing += (c.lastStep ?? -1) - (s0?.lastStep ?? -1) - grew;
    }
    await page.screenshot({ path: join(tmpdir(), 'hf-dashboard-latency.png') });
    const written = TRIALS * RATE * SECONDS;
    console.log(
      `\ndashboard latency — ${TRIALS} trials × ${RATE} points/s = ${TRIALS * RATE} points/s, ${SECONDS} s measured`,
    );
    console.log('point written in the trial → drawn by uPlot in chromium (ms)');
    console.log(
      `p50 ${pct(b.lat, 50).toFixed(0)}   p90 ${pct(b.lat, 90).toFixed(0)}   p99 ${pct(b.lat, 99).toFixed(0)}   max ${pct(b.lat, 100).toFixed(0)}`,
    );
    console.log(
      `points drawn ${b.lat.length} of ${written} written (${((100 * b.lat.length) / written).toFixed(1)} %; volatile batches may drop)`,
    );
    console.log(
      `points missing from the page's curves since the bench started (gaps in the steps): ${missing} of ${held + missing}`,
    );
    console.log(
      `frames/s while streaming ${(b.frames / SECONDS).toFixed(1)}; long tasks (>50 ms) ${b.longTasks.length}, longest ${b.longTasks.length ? Math.max(...b.longTasks).toFixed(0) : 0} ms`,
    );
    console.log(`target p99 ≤ 500 ms: ${pct(b.lat, 99) <= 500 ? 'met' : 'MISSED'}`);
    await ctx.close();
  } finally {
    await browser.close();
    if (cli && cli.exitCode === null) {
      cli.kill('SIGINT');
      await new Promise((r) => {
        cli?.once('exit', r);
        setTimeout(r, 15_000);
      });
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
