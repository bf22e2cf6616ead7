import type { Distribution, Params, SearchSpace } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { canonicalKey } from '../canonical-key';
import { randomStrategy } from '../random-strategy';
import type { Observation, Strategy, SuggestRequest } from '../types';
import { createTpeStrategy, tpeStrategy } from './tpe-strategy';

function space(params: Record<string, Distribution>): SearchSpace {
  return { params: Object.entries(params).map(([name, dist]) => ({ name, path: name.split('.'), dist })) };
}

const quadSpace = space({
  x: { distribution: 'uniform', min: -5, max: 5 },
  y: { distribution: 'uniform', min: -5, max: 5 },
  opt: { distribution: 'categorical', values: ['a', 'b', 'c'] },
});
const quad = (p: Params) => ((p.x as number) - 1) ** 2 + ((p.y as number) + 2) ** 2 + (p.opt === 'b' ? 0 : 5);

function request(overrides: Partial<SuggestRequest> = {}): SuggestRequest {
  return { space: quadSpace, goal: 'minimize', finished: [], pending: [], n: 1, startIndex: 0, seed: 9, ...overrides };
}

function optimize(strategy: Strategy, seed: number, trials: number): number {
  const finished: Observation[] = [];
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < trials; k++) {
    const [p] = strategy(request({ finished, startIndex: k, seed })).suggestions;
    const v = quad(p!);
    finished.push({ params: p!, value: v, status: 'succeeded' });
    best = Math.min(best, v);
  }
  return best;
}

function history(n: number): Observation[] {
  return randomStrategy(request({ n, seed: 1 })).suggestions.map((params) => ({
    params,
    value: quad(params),
    status: 'succeeded' as const,
  }));
}

describe('tpeStrategy', () => {
  it('samples at random for the startup trials, then from the estimators', () => {
    const startup = tpeStrategy(request({ finished: history(5), startIndex: 5 }));
    expect(startup).toEqual(randomStrategy(request({ finished: history(5), startIndex: 5 })));
    const modelled = tpeStrategy(request({ finished: history(20), startIndex: 20 }));
    expect(modelled).not.toEqual(randomStrategy(request({ finished: history(20), startIndex: 20 })));
  });

  it('is pure, and a batch with pending trials holds no duplicates', () => {
    const req = request({
      finished: history(20),
      pending: history(22)
        .slice(20)
        .map((o) => o.params),
      n: 6,
      startIndex: 22,
    });
    const result = tpeStrategy(req);
    expect(tpeStrategy(structuredClone(req))).toEqual(result);
    const keys = [...req.pending, ...result.suggestions].map((p) => canonicalKey(p));
    expect(new Set(keys).size).toBe(8);
  });

  it('favours the good category after enough trials', () => {
    const finished = history(40);
    const picks = Array.from(
      { length: 20 },
      (_, i) => tpeStrategy(request({ finished, startIndex: 40 + i })).suggestions[0]!.opt,
    );
    expect(picks.filter((o) => o === 'b').length).toBeGreaterThan(10);
  });

  it('never repeats a point on a discrete space and reports exhaustion', () => {
    const small = space({
      a: { distribution: 'categorical', values: [1, 2, 3, 4] },
      b: { distribution: 'int_uniform', min: 0, max: 3 },
    });
    const finished: Observation[] = [];
    for (let k = 0; k < 16; k++) {
      const { suggestions, exhausted } = tpeStrategy(request({ space: small, finished, startIndex: k }));
      const p = suggestions[0]!;
      finished.push({ params: p, value: (p.a as number) + (p.b as number), status: 'succeeded' });
      expect(exhausted).toBe(k === 15);
    }
    expect(new Set(finished.map((o) => canonicalKey(o.params))).size).toBe(16);
  });

  it('beats random search at a small budget, univariate and multivariate', () => {
    const seeds = [0, 1, 2, 3, 4];
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    const random = median(seeds.map((s) => optimize(randomStrategy, s, 60)));
    expect(median(seeds.map((s) => optimize(tpeStrategy, s, 60)))).toBeLessThan(random);
    expect(median(seeds.map((s) => optimize(createTpeStrategy({ multivariate: true }), s, 60)))).toBeLessThan(random);
  });
});
