import { describe, expect, it } from 'vitest';
import { compileMetricsRegex } from './regex-metrics';
import { parseStdoutLine, StdoutMetricsParser } from './stdout-metrics';

const metrics = (line: string, options = {}) => {
  const r = parseStdoutLine(line, options);
  return r.kind === 'metrics' ? { step: r.step, values: Object.fromEntries(r.entries) } : r.kind;
};

describe('parseStdoutLine', () => {
  it('reads Katib-style name=value pairs, with step', () => {
    expect(metrics('epoch=3 loss=0.21 val_acc=0.9')).toEqual({
      step: undefined,
      values: { epoch: 3, loss: 0.21, val_acc: 0.9 },
    });
    expect(metrics('step=7, loss = 1e-3; acc=.5')).toEqual({ step: 7, values: { loss: 0.001, acc: 0.5 } });
    expect(metrics('_step=2 train/loss=-4')).toEqual({ step: 2, values: { 'train/loss': -4 } });
    expect(metrics('2024-01-01 12:00:00 INFO epoch=3 loss=0.2')).toEqual({
      step: undefined,
      values: { epoch: 3, loss: 0.2 },
    });
  });

  it('accepts NaN and infinities in every common spelling', () => {
    const r = metrics('a=nan b=NaN c=inf d=-inf e=Infinity f=+inf');
    expect(r).toEqual({
      step: undefined,
      values: { a: NaN, b: NaN, c: Infinity, d: -Infinity, e: Infinity, f: Infinity },
    });
  });

  it('ignores plain log lines, including prose that happens to contain =', () => {
    expect(metrics('Epoch 3 finished')).toBe('ignored');
    expect(metrics('')).toBe('ignored');
    expect(metrics('saving checkpoint to path=/tmp/x')).toBe('ignored');
    expect(metrics('a == b')).toBe('ignored');
  });

  it('passes a numeric step on as written: whether it can be stored is judged (and counted) at ingest', () => {
    expect(metrics('step=1.5 loss=1')).toEqual({ step: 1.5, values: { loss: 1 } });
    expect(metrics('step=-1 loss=1')).toEqual({ step: -1, values: { loss: 1 } });
    expect(metrics('{"step": 9007199254741002, "loss": 1}')).toEqual({ step: 2 ** 53 + 10, values: { loss: 1 } });
  });

  it('flags lines that look like metrics but do not parse', () => {
    expect(metrics('loss=abc')).toBe('malformed');
    expect(metrics('epoch=1 loss=abc')).toBe('malformed');
    expect(metrics('Epoch 1: loss=0.5.1')).toBe('malformed');
    expect(metrics('step=abc loss=1')).toBe('malformed');
    expect(metrics('{"val_acc":')).toBe('malformed');
    expect(metrics("{'loss': 0.5}")).toBe('malformed');
  });

  it('reads JSON-object lines: flat, the metrics-file envelope, and bare NaN tokens', () => {
    expect(metrics('{"step": 3, "val_acc": 0.9, "phase": "val", "ok": true}')).toEqual({
      step: 3,
      values: { val_acc: 0.9 },
    });
    expect(metrics('{"step": 4, "ts": 1, "metrics": {"loss": "NaN", "x": "-Infinity"}}')).toEqual({
      step: 4,
      values: { loss: NaN, x: -Infinity },
    });
    expect(metrics('{"loss": NaN, "up": Infinity, "down": -Infinity, "note": "NaN here"}')).toEqual({
      step: undefined,
      values: { loss: NaN, up: Infinity, down: -Infinity },
    });
    expect(metrics('{"level": "info", "msg": "hello"}')).toBe('ignored');
  });

  it('applies a configured regex first (named or positional groups), built-ins as fallback', () => {
    const named = compileMetricsRegex('(?<name>[\\w-]+) -> (?<value>\\S+)');
    expect(metrics('Validation-accuracy -> 0.87 and loss -> 0.3', { regex: named })).toEqual({
      step: undefined,
      values: { 'Validation-accuracy': 0.87, loss: 0.3 },
    });
    expect(metrics('acc -> nope', { regex: named })).toBe('malformed');
    expect(metrics('epoch=2', { regex: named })).toEqual({ step: undefined, values: { epoch: 2 } });
    expect(metrics('epoch=2', { regex: named, builtin: false })).toBe('ignored');
    const positional = compileMetricsRegex('(\\w+): ([\\d.]+)');
    expect(metrics('acc: 0.5', { regex: positional })).toEqual({ step: undefined, values: { acc: 0.5 } });
  });

  it('rejects a regex without the groups it needs, or an invalid one', () => {
    expect(() => compileMetricsRegex('acc: \\d+')).toThrow(/named groups/);
    expect(() => compileMetricsRegex('(unclosed')).toThrow(/not a valid regular expression/);
  });
});

describe('StdoutMetricsParser', () => {
  it('numbers steps per key (previous + 1) unless the line gives one', () => {
    const parser = new StdoutMetricsParser();
    const lines = ['loss=1', 'loss=2 acc=0.1', 'step=10 acc=0.2', 'acc=0.3', 'loss=abc'].map((l) => Buffer.from(l));
    const batch = parser.parseLines(lines, 123);
    expect(batch.malformed).toBe(1);
    expect(batch.points.map((p) => [p.key, p.step, p.value])).toEqual([
      ['loss', 0, 1],
      ['loss', 1, 2],
      ['acc', 0, 0.1],
      ['acc', 10, 0.2],
      ['acc', 11, 0.3],
    ]);
    expect(batch.points.every((p) => p.timestamp === 123)).toBe(true);
  });

  it('counts undecodable lines only when they look like metrics', () => {
    const parser = new StdoutMetricsParser();
    const batch = parser.parseLines(
      [Buffer.from([0xff, 0xfe, 0x61, 0x3d, 0x31]), Buffer.from([0xff, 0x00, 0x80]), Buffer.from('ok=1')],
      0,
    );
    expect(batch.malformed).toBe(1);
    expect(batch.points.map((p) => p.key)).toEqual(['ok']);
  });

  it('parses nothing built-in when builtin is false', () => {
    const parser = new StdoutMetricsParser({ builtin: false });
    expect(parser.parseLines([Buffer.from('loss=1'), Buffer.from('loss=abc')], 0)).toEqual({
      points: [],
      malformed: 0,
    });
  });
});
