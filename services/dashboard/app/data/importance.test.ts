import { describe, expect, it } from 'vitest';
import { correlationRatio, paramImportance, ranks, spearman } from './importance';

describe('importance', () => {
  it('ranks ties with their mean rank', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });

  it('spearman is 1 for any monotone relation and 0 for none', () => {
    const x = [1, 2, 3, 4, 5, 6];
    expect(
      spearman(
        x,
        x.map((v) => Math.exp(v)),
      ),
    ).toBeCloseTo(1);
    expect(
      spearman(
        x,
        x.map((v) => -v * v),
      ),
    ).toBeCloseTo(-1);
    expect(spearman(x, [1, 1, 1, 1, 1, 1])).toBe(0);
  });

  it('the correlation ratio separates groups that explain the metric', () => {
    expect(correlationRatio(['a', 'a', 'b', 'b'], [1, 2, 10, 11])).toBeGreaterThan(0.8);
    expect(correlationRatio(['a', 'b', 'a', 'b'], [1, 2, 3, 4])).toBeLessThan(0.5);
  });

  it('orders parameters by importance, numeric and categorical alike; too few trials give no estimate', () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({
      params: (n: string) => ({ lr: i, noise: (i * 7919) % 13, opt: i % 2 ? 'adam' : 'sgd' })[n],
      value: i * 2 + (i % 2 ? 0.5 : 0),
    }));
    const imp = paramImportance(['noise', 'opt', 'lr'], rows);
    expect(imp[0]!.name).toBe('lr');
    expect(imp.find((i) => i.name === 'opt')!.method).toBe('eta');
    expect(Number.isNaN(paramImportance(['lr'], rows.slice(0, 3))[0]!.score)).toBe(true);
  });
});
