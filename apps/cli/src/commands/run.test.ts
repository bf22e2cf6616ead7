import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openStore } from '@hyperfleet/store';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EXIT } from '../cli-error';
import { runCommand } from './run';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-run-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// The live table goes nowhere: the store is what the tests read.
const sink = () =>
  new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  }) as unknown as typeof process.stdout;

// Each trial appends its start and end (ms) to spans.txt in its cwd, so the test can count overlaps.
function sweep(opts: { parallel: number; count: number; sleepMs: number }): string {
  writeFileSync(
    join(dir, 'trial.mjs'),
    `import { appendFileSync } from 'node:fs';
const start = Date.now();
appendFileSync('started.txt', 'x\\n');
setTimeout(() => {
  appendFileSync('spans.txt', start + ' ' + Date.now() + '\\n');
  console.log('loss=' + (Number(process.env.HYPERFLEET_SEED) % 7));
}, ${opts.sleepMs});`,
  );
  const file = join(dir, 'sweep.yaml');
  writeFileSync(
    file,
    [
      'method: random',
      'metric: {name: loss, goal: minimize}',
      `run_cap: ${opts.count}`,
      `parallel: ${opts.parallel}`,
      'seed: 3',
      `program: ${join(dir, 'trial.mjs')}`,
      'parameters:',
      '  x: {min: 0.0, max: 1.0}',
      '',
    ].join('\n'),
  );
  return file;
}

it('runs every trial through the in-process agent, at most `parallel` at once, with metrics and per-trial files', async () => {
  const file = sweep({ parallel: 2, count: 6, sleepMs: 150 });
  const db = `sqlite:${join(dir, 'db.sqlite')}`;
  expect(await runCommand(file, { store: db }, { out: sink() })).toBe(EXIT.ok);

  const store = await openStore(db);
  try {
    const [s] = await store.listSweeps();
    const trials = await store.listTrials(s!.id);
    expect(trials.map((t) => t.status)).toEqual(Array(6).fill('succeeded'));
    for (const t of trials) {
      expect(t.metricValue).toBe(t.seed % 7);
      expect(existsSync(join(dir, 'runs', s!.id, t.id, 'params.json'))).toBe(true);
      expect((await store.listAttempts(t.id)).map((a) => a.worker)).toEqual(['local']);
    }
  } finally {
    await store.close();
  }
  const intervals = readFileSync(join(dir, 'spans.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number) as [number, number]);
  const maxOverlap = Math.max(...intervals.map(([s]) => intervals.filter(([a, b]) => a <= s && s < b).length));
  expect(maxOverlap).toBe(2); // both slots used, never a third trial
});

it('an interrupt stops the running trials and records every trial cancelled; exit 130', async () => {
  const file = sweep({ parallel: 2, count: 4, sleepMs: 30_000 });
  const db = `sqlite:${join(dir, 'db.sqlite')}`;
  const done = runCommand(file, { store: db, killGrace: 1 }, { out: sink() });
  const started = join(dir, 'started.txt');
  while (!existsSync(started) || readFileSync(started, 'utf8').length < 4) await new Promise((r) => setTimeout(r, 20));
  process.emit('SIGINT', 'SIGINT');
  expect(await done).toBe(EXIT.interrupted);

  const store = await openStore(db);
  try {
    const [s] = await store.listSweeps();
    expect(s?.status).toBe('cancelled');
    const trials = await store.listTrials(s!.id);
    expect(trials.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    for (const t of trials) {
      // Each one ran on the local agent and was stopped there (SIGTERM), not left for dead.
      expect((await store.listAttempts(t.id)).map((a) => [a.worker, a.status, a.endedAt !== null])).toEqual([
        ['local', 'cancelled', true],
      ]);
    }
  } finally {
    await store.close();
  }
}, 20_000);
