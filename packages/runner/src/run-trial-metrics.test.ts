import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricSample } from '@hyperfleet/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTrial } from './run-trial';
import { makeTrialDirs, nodeScript, trialOptions } from './test-helpers';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await makeTrialDirs());
});
afterEach(() => cleanup());

const collect = () => {
  const batches: MetricSample[][] = [];
  return { batches, onMetrics: (points: MetricSample[]) => batches.push(points) };
};

describe('runTrial: metrics file', () => {
  it('tails the JSONL file while the trial runs, across partial lines, with NaN/Infinity in both encodings', async () => {
    const ack = join(root, 'ack');
    // Writes a line in two halves, then waits until the runner has delivered it (proves live tailing),
    // then writes Python-style lines and a last line with no newline.
    const script = `
      const fs = require('fs');
      const f = process.env.HYPERFLEET_METRICS_FILE;
      fs.appendFileSync(f, '{"step":0,"metrics":{"val_acc":');
      setTimeout(() => {
        fs.appendFileSync(f, '0.5}}\\n');
        const t = setInterval(() => {
          if (!fs.existsSync(${JSON.stringify(ack)})) return;
          clearInterval(t);
          fs.appendFileSync(f, 'not json\\n\\n{"metrics":{"loss":"NaN","up":"Infinity","down":"-Infinity"}}\\n');
          fs.appendFileSync(f, '{"ts":1700000000000,"metrics":{"val_acc":0.75}}');
        }, 20);
      }, 300);
    `;
    const { batches, onMetrics } = collect();
    const opts = trialOptions(root, {
      argv: nodeScript(script),
      timeoutMs: 4_000, // without live tailing the program never sees the ack and times out
      onMetrics: (points) => {
        onMetrics(points);
        writeFileSync(ack, '');
      },
    });
    const result = await runTrial(opts);
    expect(result.outcome).toBe('exited');
    expect(batches[0]).toEqual([{ key: 'val_acc', step: 0, value: 0.5, timestamp: expect.any(Number) }]);
    const points = batches.flat();
    expect(points.map((p) => [p.key, p.step, p.value])).toEqual([
      ['val_acc', 0, 0.5],
      ['loss', 1, NaN],
      ['up', 1, Infinity],
      ['down', 1, -Infinity],
      ['val_acc', 2, 0.75],
    ]);
    expect(points.at(-1)?.timestamp).toBe(1700000000000);
    expect(result.malformedLines).toBe(1);
    expect(result.finalMetrics).toEqual({ val_acc: 0.75, loss: NaN, up: Infinity, down: -Infinity });
  });

  it("reads Python's json.dumps output (bare NaN / Infinity tokens)", async () => {
    const script = [
      'import json, os',
      'with open(os.environ["HYPERFLEET_METRICS_FILE"], "a") as f:',
      '    for i, v in enumerate([0.1, float("nan"), float("inf"), float("-inf")]):',
      '        f.write(json.dumps({"step": i, "metrics": {"loss": v}}) + "\\n")',
    ].join('\n');
    const { batches, onMetrics } = collect();
    const result = await runTrial(trialOptions(root, { argv: ['python3', '-c', script], onMetrics }));
    expect(result.malformedLines).toBe(0);
    expect(batches.flat().map((p) => p.value)).toEqual([0.1, NaN, Infinity, -Infinity]);
    expect(result.finalMetrics).toEqual({ loss: -Infinity });
  });

  it('moves an earlier attempt’s metrics file aside instead of re-reading it', async () => {
    const opts = trialOptions(root, { argv: nodeScript('') });
    const writeOld = nodeScript(
      `require('fs').writeFileSync(process.env.HYPERFLEET_METRICS_FILE, '{"metrics":{"old":1}}\\n')`,
    );
    expect((await runTrial({ ...opts, argv: writeOld })).finalMetrics).toEqual({ old: 1 });
    expect((await runTrial(opts)).finalMetrics).toEqual({});
    expect(existsSync(join(opts.trialDir, 'metrics.jsonl.prev'))).toBe(true);
  });
});

describe('runTrial: stdout metrics', () => {
  const lines = [
    'starting training',
    'epoch=1 loss=0.5 val_acc=0.8',
    'epoch=2 loss=nan val_acc=0.85',
    'step=10 loss=inf',
    '{"step": 3, "val_acc": 0.9, "phase": "val"}',
    'loss=abc',
    '{"val_acc":',
    'done',
  ];

  it('parses name=value and JSON lines, counts malformed ones, ignores prose', async () => {
    const { batches, onMetrics } = collect();
    const script = `process.stdout.write(${JSON.stringify(`${lines.join('\n')}\n`)})`;
    const result = await runTrial(trialOptions(root, { argv: nodeScript(script), onMetrics }));
    expect(result.malformedLines).toBe(2);
    expect(batches.flat().map((p) => [p.key, p.step, p.value])).toEqual([
      ['epoch', 0, 1],
      ['loss', 0, 0.5],
      ['val_acc', 0, 0.8],
      ['epoch', 1, 2],
      ['loss', 1, NaN],
      ['val_acc', 1, 0.85],
      ['loss', 10, Infinity],
      ['val_acc', 3, 0.9],
    ]);
    // One write → one chunk → one batch, not one call per point.
    expect(batches.length).toBeLessThan(batches.flat().length);
    expect(result.finalMetrics).toEqual({ epoch: 2, loss: Infinity, val_acc: 0.9 });
  });

  it('applies a configured regex; metrics.stdout false turns the built-ins off', async () => {
    const script = `console.log('Validation-accuracy: 0.93'); console.log('loss=0.1'); console.log('loss=abc')`;
    const both = await runTrial(
      trialOptions(root, { argv: nodeScript(script), metrics: { regex: '(?<name>[\\w-]+): (?<value>\\S+)' } }),
    );
    expect(both.finalMetrics).toEqual({ 'Validation-accuracy': 0.93, loss: 0.1 });
    expect(both.malformedLines).toBe(1);
    const regexOnly = await runTrial(
      trialOptions(root, {
        argv: nodeScript(script),
        metrics: { stdout: false, regex: '(?<name>[\\w-]+): (?<value>\\S+)' },
      }),
    );
    expect(regexOnly.finalMetrics).toEqual({ 'Validation-accuracy': 0.93 });
    expect(regexOnly.malformedLines).toBe(0);
  });

  it('survives non-UTF-8 bytes: logs them raw, counts metric-looking ones as malformed', async () => {
    const script = `
      process.stdout.write(Buffer.from([0xff, 0xfe, 0x0a]));
      process.stdout.write(Buffer.concat([Buffer.from('loss='), Buffer.from([0xc3, 0x28]), Buffer.from('\\n')]));
      process.stdout.write('acc=1\\n');
    `;
    const result = await runTrial(trialOptions(root, { argv: nodeScript(script) }));
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0, malformedLines: 1, finalMetrics: { acc: 1 } });
    expect(readFileSync(result.logPath).includes(Buffer.from([0xff, 0xfe, 0x0a]))).toBe(true);
  });

  it('drops (and counts) a 10 MB line without trouble and keeps reading', async () => {
    const script = `
      process.stdout.write('x'.repeat(10 * 1024 * 1024) + '\\n');
      process.stdout.write('after=1\\n');
    `;
    const result = await runTrial(trialOptions(root, { argv: nodeScript(script), timeoutMs: 20_000 }));
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0, malformedLines: 1, finalMetrics: { after: 1 } });
    expect(statSync(result.logPath).size).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('caps output.log with one truncation notice but keeps parsing stdout past the cap', async () => {
    const script = `
      for (let i = 0; i < 200; i++) console.log('noise line ' + i + ' ' + 'y'.repeat(40));
      console.error('stderr after the cap');
      console.log('done=1');
    `;
    const live: Buffer[] = [];
    const result = await runTrial(
      trialOptions(root, { argv: nodeScript(script), logMaxBytes: 1000, onOutput: (chunk) => live.push(chunk) }),
    );
    expect(result.finalMetrics).toEqual({ done: 1 });
    const log = readFileSync(result.logPath, 'utf8');
    // The live copy (the agent's log stream) is exactly the file, cap and notice included.
    expect(Buffer.concat(live).toString('utf8')).toBe(log);
    expect(log.startsWith('noise line 0 ')).toBe(true);
    expect(log.match(/reached its 1000-byte cap/g)).toHaveLength(1);
    expect(log).not.toContain('stderr after the cap');
    expect(log).not.toContain('done=1');
    expect(statSync(result.logPath).size).toBeLessThan(1200);
  });
});
