import { describe, expect, it } from 'vitest';
import { groupPoints, mergeSummary, summarize } from './metric-batch';

const p = (trialId: string, key: string, step: number, value: number, timestamp = 0) => ({
  trialId,
  key,
  step,
  value,
  timestamp,
});

describe('groupPoints', () => {
  it('groups by (trial, key), keeps arrival order, tracks the step range', () => {
    const groups = groupPoints([p('a', 'x', 3, 1), p('b', 'x', 0, 2), p('a', 'x', 1, 3), p('a', 'y', 7, 4)]);
    expect(groups.map((g) => [g.trialId, g.key, g.steps, g.values, g.firstStep, g.lastStep])).toEqual([
      ['a', 'x', [3, 1], [1, 3], 1, 3],
      ['b', 'x', [0], [2], 0, 0],
      ['a', 'y', [7], [4], 7, 7],
    ]);
  });

  it('drops in-batch duplicates, the last occurrence wins (also after out-of-order steps)', () => {
    const [g] = groupPoints([
      p('a', 'x', 0, 1, 10),
      p('a', 'x', 1, 2),
      p('a', 'x', 0, 3, 30),
      p('a', 'x', 2, 4),
      p('a', 'x', 1, 5),
    ]);
    expect(g).toMatchObject({ steps: [0, 1, 2], values: [3, 5, 4], timestamps: [30, 0, 0] });
  });

  it('rounds timestamps to whole ms and rejects what the columns cannot hold', () => {
    expect(groupPoints([p('a', 'x', 0, 1, 12.7)])[0]?.timestamps).toEqual([13]);
    expect(() => groupPoints([p('a', 'x', Number.NaN, 1)])).toThrow(/step must be an integer/);
    expect(() => groupPoints([p('a', 'x', 2 ** 60, 1)])).toThrow(/step/);
    expect(() => groupPoints([p('', 'x', 0, 1)])).toThrow(/trialId/);
    expect(() => groupPoints([{ ...p('a', 'x', 0, 1), value: '1' as unknown as number }])).toThrow(/value/);
  });
});

describe('summarize / mergeSummary', () => {
  it('summarizes with NaN ignored by min/max, ties to the earliest step, last by highest step', () => {
    expect(summarize([5, 2, 9, 3], [1, Number.NaN, 1, 0])).toEqual({
      last: 1,
      lastStep: 9,
      min: 0,
      minStep: 3,
      max: 1,
      maxStep: 5,
      count: 4,
    });
  });

  it('merges a disjoint batch exactly', () => {
    const stored = summarize([0, 1, 2], [3, 1, 2]);
    const batch = summarize([3, 4], [0.5, 9]);
    expect(mergeSummary(stored, batch, new Map())).toEqual(summarize([0, 1, 2, 3, 4], [3, 1, 2, 0.5, 9]));
    expect(mergeSummary(null, batch, new Map())).toEqual(batch);
  });

  it('subtracts replaced points from the count and asks for a recompute when the min or max point was replaced', () => {
    const stored = summarize([0, 1, 2], [3, 1, 5]);
    expect(mergeSummary(stored, summarize([0], [4]), new Map([[0, 3]]))).toEqual({ ...stored, count: 3, max: 5 });
    expect(mergeSummary(stored, summarize([1], [4]), new Map([[1, 1]]))).toBeNull(); // old min
    expect(mergeSummary(stored, summarize([2], [4]), new Map([[2, 5]]))).toBeNull(); // old max
  });

  it('a number beats an all-NaN history; an earlier step with an equal value takes the tie', () => {
    const nan = summarize([0, 1], [Number.NaN, Number.NaN]);
    expect(mergeSummary(nan, summarize([2], [7]), new Map())).toMatchObject({ min: 7, minStep: 2, max: 7, count: 3 });
    const stored = summarize([5], [1]);
    expect(mergeSummary(stored, summarize([2], [1]), new Map())).toMatchObject({ minStep: 2, maxStep: 2, lastStep: 5 });
  });
});
