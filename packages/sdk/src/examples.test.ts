// Runs examples/iris and examples/iris-python directly, the way the runner would (argv + HYPERFLEET_* env),
// and checks that validation accuracy really depends on the hyperparameters.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnProgram } from './spawn-script.js';

const SYSTEM_PYTHON = '/usr/bin/python3';
const sklearnProbe = spawnSync(SYSTEM_PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' });
const hasSklearn = sklearnProbe.status === 0;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-sdk-examples-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Line {
  step: number;
  ts: number;
  metrics: Record<string, number | string>;
}

const GOOD = { lr: 0.05, hidden: 16, epochs: 60, batch_size: 16, weight_decay: 0.0001, momentum: 0.9 };
const BAD = { ...GOOD, lr: 0.0001, epochs: 1 };

/** Runs one trial of an example: `<interpreter> <program> --name=value...` in the example's directory. */
const runTrial = (interpreter: string, example: string, program: string, params: object, seed = 7) => {
  const trialDir = mkdtempSync(join(dir, 'trial-'));
  const metricsFile = join(trialDir, 'metrics.jsonl');
  const outputDir = join(trialDir, 'outputs');
  const started = performance.now();
  const res = spawnProgram(
    interpreter,
    [program, ...Object.entries(params).map(([name, value]) => `--${name}=${JSON.stringify(value)}`)],
    {
      cwd: join(REPO_ROOT, 'examples', example),
      env: {
        HYPERFLEET_METRICS_FILE: metricsFile,
        HYPERFLEET_OUTPUT_DIR: outputDir,
        HYPERFLEET_SEED: String(seed),
        HYPERFLEET_SWEEP_ID: 'sweep-test',
        HYPERFLEET_TRIAL_ID: 'trial-test',
      },
    },
  );
  const ms = performance.now() - started;
  expect(res.status, res.stderr).toBe(0);
  const lines: Line[] = readFileSync(metricsFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const final = lines.at(-1)!.metrics;
  return { res, lines, outputDir, ms, valAcc: final.val_acc as number };
};

const expectEpochLines = (lines: Line[], epochs: number) => {
  expect(lines.map((l) => l.step)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  for (const { metrics } of lines) {
    expect(Object.keys(metrics).sort()).toEqual(['train_loss', 'val_acc', 'val_loss']);
    expect(metrics.val_acc).toBeGreaterThanOrEqual(0);
    expect(metrics.val_acc).toBeLessThanOrEqual(1);
  }
};

describe('examples/iris (plain node)', () => {
  it('good hyperparameters reach val_acc >= 0.9; a tiny lr for one epoch stays clearly worse', () => {
    const good = runTrial(process.execPath, 'iris', 'train.mjs', GOOD);
    expectEpochLines(good.lines, GOOD.epochs);
    expect(good.valAcc).toBeGreaterThanOrEqual(0.9);
    const trainLoss = good.lines.map((l) => l.metrics.train_loss as number);
    expect(trainLoss.at(-1)!).toBeLessThan(trainLoss[0]! / 2);
    expect(good.res.stdout).toBe(''); // metrics went to the file, not stdout
    expect(existsSync(join(good.outputDir, 'model.json'))).toBe(true);
    // Generous bound for a loaded 2-core box; a run takes ~0.3 s alone.
    expect(good.ms).toBeLessThan(5000);

    const bad = runTrial(process.execPath, 'iris', 'train.mjs', BAD);
    expectEpochLines(bad.lines, 1);
    expect(bad.valAcc).toBeLessThanOrEqual(0.6);
  });

  it('is deterministic for a given HYPERFLEET_SEED, and the seed matters', () => {
    const params = { ...GOOD, epochs: 10 };
    const metricsOf = (seed: number) =>
      runTrial(process.execPath, 'iris', 'train.mjs', params, seed).lines.map((l) => l.metrics);
    const a = metricsOf(1);
    expect(metricsOf(1)).toEqual(a);
    expect(metricsOf(2)).not.toEqual(a);
  });

  it('runs by hand with no hyperfleet environment, printing name=value metrics on stdout', () => {
    const res = spawnProgram(process.execPath, ['train.mjs', '--epochs=3'], {
      cwd: join(REPO_ROOT, 'examples', 'iris'),
      env: { HYPERFLEET_OUTPUT_DIR: dir }, // keep the hand run's model.json out of the repo
    });
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^step=3 train_loss=\S+ val_loss=\S+ val_acc=[0-9.]+$/);
  });

  it('ships the real Iris data: 150 rows, 50 per class, well-known first rows', () => {
    const rows = readFileSync(join(REPO_ROOT, 'examples', 'iris', 'iris.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(rows[0]).toBe('sepal_length,sepal_width,petal_length,petal_width,species');
    const body = rows.slice(1);
    expect(body).toHaveLength(150);
    const counts: Record<string, number> = {};
    for (const row of body) counts[row.split(',')[4]!] = (counts[row.split(',')[4]!] ?? 0) + 1;
    expect(counts).toEqual({ setosa: 50, versicolor: 50, virginica: 50 });
    expect(body[0]).toBe('5.1,3.5,1.4,0.2,setosa');
    expect(body[50]).toBe('7.0,3.2,4.7,1.4,versicolor');
    expect(body[100]).toBe('6.3,3.3,6.0,2.5,virginica');
    expect(body[149]).toBe('5.9,3.0,5.1,1.8,virginica');
    // Column means of Fisher's data (sepal width 3.057 with the corrected rows 35 and 38).
    const means = [0, 1, 2, 3].map(
      (f) => Math.round((body.reduce((s, r) => s + Number(r.split(',')[f]), 0) / 150) * 1000) / 1000,
    );
    expect(means).toEqual([5.843, 3.057, 3.758, 1.199]);
  });
});

describe('examples/iris-python (scikit-learn)', () => {
  it.skipIf(!hasSklearn)(
    `good hyperparameters reach val_acc >= 0.9; a tiny lr for one epoch stays clearly worse${
      hasSklearn ? '' : ` — SKIPPED: ${SYSTEM_PYTHON} cannot import sklearn (apt-get install python3-sklearn)`
    }`,
    () => {
      const good = runTrial(SYSTEM_PYTHON, 'iris-python', 'train.py', GOOD);
      expectEpochLines(good.lines, GOOD.epochs);
      expect(good.valAcc).toBeGreaterThanOrEqual(0.9);
      expect(good.res.stdout).toBe('');

      const bad = runTrial(SYSTEM_PYTHON, 'iris-python', 'train.py', BAD);
      expectEpochLines(bad.lines, 1);
      expect(bad.valAcc).toBeLessThanOrEqual(0.6);
    },
  );
});
