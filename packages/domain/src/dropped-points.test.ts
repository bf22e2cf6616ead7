import { describe, expect, it } from 'vitest';
import { addDroppedPoints, describeDroppedPoints, MAX_STEP, stepDropReason } from './dropped-points';

describe('dropped points', () => {
  it('names why a step cannot be stored', () => {
    expect([0, 7, MAX_STEP].map(stepDropReason)).toEqual([null, null, null]);
    expect(stepDropReason(-1)).toBe('step_negative');
    expect(stepDropReason(2 ** 53 + 10)).toBe('step_too_large');
    expect([1.5, Number.NaN, Number.POSITIVE_INFINITY, '3', null].map(stepDropReason)).toEqual(
      Array(5).fill('step_not_integer'),
    );
  });

  it('adds counts per reason and describes them one line per reason', () => {
    const total = addDroppedPoints({ step_negative: 2 }, { step_negative: 1, step_too_large: 1 });
    expect(total).toEqual({ step_negative: 3, step_too_large: 1 });
    expect(describeDroppedPoints(total)).toEqual(['3 points dropped: step < 0', '1 point dropped: step > 1e+12']);
    expect(describeDroppedPoints({})).toEqual([]);
  });
});
