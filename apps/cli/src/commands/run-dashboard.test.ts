import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { DashboardClientEvents, DashboardServerEvents, SweepSnapshot, TrialRowView } from '@hyperfleet/domain';
import { io, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EXIT } from '../cli-error';
import { runCommand } from './run';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-run-dash-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function sweepFile(steps = 5): string {
  writeFileSync(
    join(dir, 'trial.mjs'),
    `const x = Number(JSON.parse(process.env.HYPERFLEET_PARAMS).x);
let step = 0;
const t = setInterval(() => {
  console.log('loss=' + x / (step + 1));
  if (++step === ${steps}) clearInterval(t);
}, 60);`,
  );
  const file = join(dir, 'sweep.yaml');
  writeFileSync(
    file,
    [
      'method: grid',
      'metric: {name: loss, goal: minimize}',
      'parallel: 1',
      `program: ${join(dir, 'trial.mjs')}`,
      'parameters:',
      '  x: {values: [1, 2, 3]}',
      '',
    ].join('\n'),
  );
  return file;
}

/** Runs the sweep with `--dashboard 0`; resolves the printed URL's parts once it is printed. */
function runWithDashboard(file: string) {
  let output = '';
  let printed: (m: RegExpExecArray) => void = () => {};
  const url = new Promise<RegExpExecArray>((resolve) => {
    printed = resolve;
  });
  const out = new Writable({
    write(chunk, _enc, done) {
      output += String(chunk);
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\/sweeps\/([a-z0-9]+)/.exec(output);
      if (m) printed(m);
      done();
    },
  }) as unknown as typeof process.stdout;
  const run = runCommand(file, { store: `sqlite:${join(dir, 'db.sqlite')}`, dashboard: 0 }, { out });
  return { run, url };
}

it('the embedded dashboard stops a trial and cancels the sweep from the UI (no tokens on localhost)', async () => {
  const { run, url } = runWithDashboard(sweepFile(1000));
  const [, base, sweepId] = await url;
  const trialId = `${sweepId}-0`;
  const post = (path: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${base}${path}`, { method: 'POST', headers, body: '{}' });
  // Not from another web page: a cross-site form (no JSON) or a foreign origin is refused.
  expect((await post(`/api/sweeps/${sweepId}/cancel`, { 'content-type': 'text/plain' })).status).toBe(415);
  expect(
    (await post(`/api/sweeps/${sweepId}/cancel`, { 'content-type': 'application/json', origin: 'http://evil.test' }))
      .status,
  ).toBe(403);
  let stop = await post(`/api/trials/${trialId}/stop`);
  for (let i = 0; i < 50 && stop.status === 409; i++) stop = await post(`/api/trials/${trialId}/stop`);
  expect(stop.status).toBe(200);
  expect((await post('/api/trials/nope-0/stop')).status).toBe(404);
  // The stopped trial ends; the next one starts; cancelling ends the run.
  const deadline = Date.now() + 10_000;
  let cancelled = 0;
  while (Date.now() < deadline) {
    const res = await post(`/api/sweeps/${sweepId}/cancel`);
    cancelled = res.status;
    if (res.status === 200) break;
  }
  expect(cancelled).toBe(200);
  expect(await run).toBe(EXIT.interrupted);
  const { openStore } = await import('@hyperfleet/store');
  const store = await openStore(`sqlite:${join(dir, 'db.sqlite')}`);
  try {
    expect(await store.getTrial(trialId)).toMatchObject({ status: 'stopped', reason: 'stopped from the dashboard' });
  } finally {
    await store.close();
  }
}, 30_000);

it('--dashboard 0 prints the sweep URL before trials finish and serves the live socket from the in-process run', async () => {
  let output = '';
  let printed: (url: string) => void = () => {};
  const urlPrinted = new Promise<string>((resolve) => {
    printed = resolve;
  });
  const out = new Writable({
    write(chunk, _enc, done) {
      output += String(chunk);
      const m = /dashboard: (http:\/\/\S+)/.exec(output);
      if (m?.[1]) printed(m[1]);
      done();
    },
  }) as unknown as typeof process.stdout;
  const db = `sqlite:${join(dir, 'db.sqlite')}`;
  const run = runCommand(sweepFile(), { store: db, dashboard: 0 }, { out });
  const url = await urlPrinted;
  const match = /^(http:\/\/127\.0\.0\.1:\d+)\/sweeps\/([a-z0-9]+)$/.exec(url);
  expect(match).not.toBeNull();
  const [, base, sweepId] = match as RegExpExecArray;
  expect(output).not.toMatch(/\[\d+\/3\]/); // printed before any trial ended

  const socket: Socket<DashboardServerEvents, DashboardClientEvents> = io(base!, {
    transports: ['websocket'],
    reconnection: false,
  });
  const updates: TrialRowView[] = [];
  socket.on('trial:update', (t) => updates.push(t));
  try {
    const snap = await new Promise<SweepSnapshot>((resolve, reject) =>
      socket.emit('sweep:join', { sweepId: sweepId! }, (r) =>
        r.ok ? resolve(r.data) : reject(new Error(r.error.message)),
      ),
    );
    expect(snap.sweep.id).toBe(sweepId);
    expect(snap.paramNames).toEqual(['x']);
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect([200, 503]).toContain(page.status); // 503 = the UI is not built here: the page says how
    expect(await run).toBe(EXIT.ok);
    expect(
      updates
        .filter((t) => t.status === 'succeeded')
        .map((t) => t.params.x)
        .sort(),
    ).toEqual([1, 2, 3]);
  } finally {
    socket.close();
  }
  // The server is gone with the run.
  await expect(fetch(`${base}/healthz`)).rejects.toThrow();
}, 30_000);
