import { describe, expect, it } from 'vitest';
import { toMetricPoints } from './wire-points';

describe('toMetricPoints', () => {
  it('keeps NaN/±Infinity values, drops and counts bad steps, values and keys', () => {
    const wire = [
      { key: 'loss', step: 0, value: Number.NaN, timestamp: 1 },
      { key: 'loss', step: 1, value: Number.POSITIVE_INFINITY, timestamp: 1 },
      { key: 'loss', step: 2, value: Number.NEGATIVE_INFINITY, timestamp: Number.NaN },
      { key: 'loss', step: Number.NaN, value: 1, timestamp: 1 },
      { key: 'loss', step: 1.5, value: 1, timestamp: 1 },
      { key: 'loss', step: -1, value: 1, timestamp: 1 },
      { key: 'loss', step: 1e13, value: 1, timestamp: 1 },
      { key: 'loss', step: 3, value: 'abc', timestamp: 1 },
      { key: 'loss', step: 3, value: null, timestamp: 1 },
      { key: '', step: 3, value: 1, timestamp: 1 },
    ] as never;
    const { points, dropped } = toMetricPoints('t', wire, 99);
    expect(points.map((p) => [p.step, p.value, p.timestamp])).toEqual([
      [0, Number.NaN, 1],
      [1, Number.POSITIVE_INFINITY, 1],
      [2, Number.NEGATIVE_INFINITY, 99],
    ]);
    expect(dropped).toEqual({ step_not_integer: 2, step_negative: 1, step_too_large: 1, bad_value: 2, bad_key: 1 });
  });

  it('takes values as the transport decoded them: a JSON name left undecoded is not a number', () => {
    const wire = [{ key: 'loss', step: 0, value: 'Infinity', timestamp: 1 }] as never;
    expect(toMetricPoints('t', wire, 99)).toEqual({ points: [], dropped: { bad_value: 1 } });
  });
});
