import { readFileSync } from 'node:fs';
import type { MetricSample } from '@hyperfleet/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTrial } from './run-trial';
import { makeTrialDirs, nodeScript, trialOptions } from './test-helpers';
import type { MetricsCollection } from './types';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await makeTrialDirs());
});
afterEach(() => cleanup());

/**
 * What issue 16 saw: a script that logs through the SDK file AND prints rounded values on stdout, after a
 * banner that looks like `name=value` pairs. `sdkAt` makes the SDK write only from that epoch on.
 */
const sdkAndStdout = (epochs: number, sdkAt = 0) => `
  const fs = require('fs');
  console.log('training lr=0.1 width=32');
  for (let epoch = 0; epoch < ${epochs}; epoch++) {
    const loss = 1 / (epoch + 1.2345678);
    if (epoch >= ${sdkAt}) {
      fs.appendFileSync(process.env.HYPERFLEET_METRICS_FILE, JSON.stringify({ metrics: { val_loss: loss } }) + '\\n');
    }
    console.log('epoch ' + (epoch + 1) + ': val_loss=' + loss.toFixed(2));
  }
`;
const exact = (epoch: number) => 1 / (epoch + 1.2345678);

async function run(script: string, metrics?: MetricsCollection) {
  const points: MetricSample[] = [];
  const opts = trialOptions(root, {
    argv: nodeScript(script),
    onMetrics: (batch) => points.push(...batch),
    ...(metrics ? { metrics } : {}),
  });
  const result = await runTrial(opts);
  return { result, points, log: readFileSync(result.logPath, 'utf8') };
}

const byKey = (points: MetricSample[]) => {
  const out: Record<string, Array<[number, number]>> = {};
  for (const p of points) {
    const series = out[p.key] ?? [];
    series.push([p.step, p.value]);
    out[p.key] = series;
  }
  return out;
};

describe('runTrial: one source per metric', () => {
  it('a stdout trial with slow epochs shows its first point while it runs, not only with the second', async () => {
    const seenAt: number[] = [];
    const started = Date.now();
    const opts = trialOptions(root, {
      argv: nodeScript("console.log('loss=0.5'); setTimeout(() => console.log('loss=0.25'), 4000)"),
      onMetrics: () => seenAt.push(Date.now() - started),
    });
    const result = await runTrial(opts);
    expect(result.finalMetrics).toEqual({ loss: 0.25 });
    expect(seenAt[0]).toBeLessThan(3500); // held at most DEFAULT_HOLD_MS (2 s), not until the next epoch (4 s)
  });

  it('a trial that writes the SDK file gets only its points: no stdout copy, no banner metrics', async () => {
    const { result, points, log } = await run(sdkAndStdout(20));
    expect(byKey(points)).toEqual({ val_loss: Array.from({ length: 20 }, (_, i) => [i, exact(i)]) });
    expect(result.finalMetrics).toEqual({ val_loss: exact(19) });
    expect(result.malformedLines).toBe(0);
    expect(log).toContain('[hyperfleet] metrics: reading the SDK metrics file; stdout is not parsed');
    expect(log).toContain('training lr=0.1 width=32'); // still in the log, just not metrics
  });

  it('an SDK file that starts after stdout metrics were passed on takes over from its first line, and says so', async () => {
    // val_loss printed 3 times (a stdout trial); a pause lets the runner see that; then epochs that log through
    // the SDK and print: from the SDK's first line on only its points count (its first write precedes each print).
    const script = `
      console.log('training lr=0.1');
      for (let epoch = 0; epoch < 3; epoch++) console.log('val_loss=' + epoch);
      setTimeout(() => { ${sdkAndStdout(3).replace("console.log('training lr=0.1 width=32');", '')} }, 500);
    `;
    const { points, log } = await run(script);
    expect(byKey(points)).toEqual({
      lr: [[0, 0.1]],
      val_loss: [[0, 0], [1, 1], [2, 2], ...[0, 1, 2].map((i): [number, number] => [i, exact(i)])],
    });
    expect(log).toContain('[hyperfleet] metrics: the SDK metrics file started after stdout metrics');
  });

  it('a stdout-only trial keeps every stdout point, the first ones held until a key repeats', async () => {
    const script = `console.log('training lr=0.1'); for (let i = 0; i < 3; i++) console.log('loss=' + i);`;
    const { result, points, log } = await run(script);
    expect(byKey(points)).toEqual({
      lr: [[0, 0.1]],
      loss: [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
    });
    expect(result.finalMetrics).toEqual({ lr: 0.1, loss: 2 });
    expect(log).not.toContain('[hyperfleet] metrics:');
  });

  it('sources [sdk, stdout] reads both and names a colliding key once in the log', async () => {
    const { points, log } = await run(sdkAndStdout(4), { sources: ['sdk', 'stdout'] });
    const keys = byKey(points);
    expect(keys.lr).toEqual([[0, 0.1]]);
    expect(keys.val_loss).toHaveLength(8);
    const notes = log.split('\n').filter((l) => l.includes('reported both by the SDK metrics file and on stdout'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('"val_loss"');
  });

  it('sources [sdk] ignores stdout from the first line; [stdout] ignores the SDK file', async () => {
    const sdk = await run(sdkAndStdout(3), { sources: ['sdk'] });
    expect(Object.keys(byKey(sdk.points))).toEqual(['val_loss']);
    expect(sdk.points.map((p) => p.value)).toEqual([0, 1, 2].map(exact));
    const stdout = await run(sdkAndStdout(3), { sources: ['stdout'] });
    expect(byKey(stdout.points)).toEqual({
      lr: [[0, 0.1]],
      width: [[0, 32]],
      val_loss: [
        [0, 0.81],
        [1, 0.45],
        [2, 0.31],
      ],
    });
  });

  it('passes on points at steps the store cannot keep, but they move no step counter and are no final value', async () => {
    const script = `
      const fs = require('fs');
      const f = process.env.HYPERFLEET_METRICS_FILE;
      fs.appendFileSync(f, '{"step":-1,"metrics":{"loss":9}}\\n{"metrics":{"loss":1}}\\n');
      fs.appendFileSync(f, '{"step":9007199254741002,"metrics":{"loss":8}}\\n{"metrics":{"loss":2}}\\n');
    `;
    const { result, points } = await run(script);
    expect(points.map((p) => [p.step, p.value])).toEqual([
      [-1, 9],
      [0, 1],
      [2 ** 53 + 10, 8],
      [1, 2],
    ]);
    expect(result.finalMetrics).toEqual({ loss: 2 });
    expect(result.malformedLines).toBe(0);
  });
});
