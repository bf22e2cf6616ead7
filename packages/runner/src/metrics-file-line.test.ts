import { describe, expect, it } from 'vitest';
import { parseLenientJson } from './lenient-json';
import { MetricsFileParser, parseMetricsFileLine } from './metrics-file-line';

describe('parseMetricsFileLine', () => {
  it('reads the contract shape with step and ts', () => {
    expect(parseMetricsFileLine('{"step":3,"ts":1732700000000,"metrics":{"val_acc":0.93,"loss":0.21}}')).toEqual({
      kind: 'metrics',
      step: 3,
      timestamp: 1732700000000,
      entries: [
        ['val_acc', 0.93],
        ['loss', 0.21],
      ],
    });
  });

  it('accepts non-finite values as strings and as bare Python tokens', () => {
    const r = parseMetricsFileLine('{"metrics":{"a":"NaN","b":"Infinity","c":"-Infinity","d":NaN,"e":-Infinity}}');
    expect(r.kind === 'metrics' && Object.fromEntries(r.entries)).toEqual({
      a: NaN,
      b: Infinity,
      c: -Infinity,
      d: NaN,
      e: -Infinity,
    });
  });

  it('flags anything off-contract as malformed, ignores blank lines', () => {
    for (const bad of [
      'garbage',
      '{"val_acc":',
      '{"val_acc": 0.9}',
      '[1,2]',
      '{"metrics":{"a":"high"}}',
      '{"metrics":{"a":null}}',
      '{"step":"3","metrics":{"a":1}}',
      '{"ts":"now","metrics":{"a":1}}',
    ]) {
      expect(parseMetricsFileLine(bad).kind, bad).toBe('malformed');
    }
    expect(parseMetricsFileLine('   ').kind).toBe('ignored');
    // A numeric step is passed on as written; a step that cannot be stored is dropped and counted at ingest.
    expect(parseMetricsFileLine('{"step":-1,"metrics":{"a":1}}')).toEqual({
      kind: 'metrics',
      step: -1,
      entries: [['a', 1]],
    });
  });
});

describe('MetricsFileParser', () => {
  it('defaults a missing step to the file previous step + 1', () => {
    const parser = new MetricsFileParser();
    const lines = ['{"metrics":{"a":1}}', '{"step":5,"metrics":{"a":2,"b":3}}', '{"metrics":{"b":4}}'];
    const batch = parser.parseLines(
      lines.map((l) => Buffer.from(l)),
      99,
    );
    expect(batch.points.map((p) => [p.key, p.step, p.value, p.timestamp])).toEqual([
      ['a', 0, 1, 99],
      ['a', 5, 2, 99],
      ['b', 5, 3, 99],
      ['b', 6, 4, 99],
    ]);
  });
});

describe('parseLenientJson', () => {
  it('leaves NaN inside strings alone and still rejects invalid JSON', () => {
    expect(parseLenientJson('{"NaN": NaN, "s": "Infinity \\" NaN"}')).toEqual({ NaN: 'NaN', s: 'Infinity " NaN' });
    expect(() => parseLenientJson('{"a": NaNa}')).toThrow();
  });
});
