import type { Distribution, Params, SearchSpace } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { canonicalKey } from '../canonical-key';
import { randomStrategy } from '../random-strategy';
import { createTpeStrategy } from '../tpe/tpe-strategy';
import type { Observation, Strategy, SuggestRequest } from '../types';
import { createUnitSpace } from '../unit-space';
import { bayesStrategy, bayesUsesTpe, initialDesignSize } from './bayes-strategy';

function space(params: Record<string, Distribution>): SearchSpace {
  return { params: Object.entries(params).map(([name, dist]) => ({ name, path: name.split('.'), dist })) };
}

const braninSpace = space({
  x1: { distribution: 'uniform', min: -5, max: 10 },
  x2: { distribution: 'uniform', min: 0, max: 15 },
});

function branin(p: Params): number {
  const x1 = p.x1 as number;
  const x2 = p.x2 as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  return (x2 - b * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}
const BRANIN_MIN = 0.397887357729738;

function request(overrides: Partial<SuggestRequest> = {}): SuggestRequest {
  return {
    space: braninSpace,
    goal: 'minimize',
    finished: [],
    pending: [],
    n: 1,
    startIndex: 0,
    seed: 3,
    ...overrides,
  };
}

/** Sequential optimization: returns the best value found after `trials` trials. */
function optimize(strategy: Strategy, seed: number, trials: number, f = branin, s = braninSpace): number {
  const finished: Observation[] = [];
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < trials; k++) {
    const [params] = strategy(request({ space: s, finished, startIndex: k, seed })).suggestions;
    const value = f(params!);
    finished.push({ params: params!, value, status: 'succeeded' });
    best = Math.min(best, value);
  }
  return best;
}

function randomHistory(n: number, seed: number): Observation[] {
  return randomStrategy(request({ n, seed })).suggestions.map((params) => ({
    params,
    value: branin(params),
    status: 'succeeded' as const,
  }));
}

describe('bayesStrategy', () => {
  it('is a pure function of its request (same request → same suggestions)', () => {
    const req = request({ finished: randomHistory(12, 1), n: 3, startIndex: 12 });
    const first = bayesStrategy(req);
    expect(bayesStrategy(structuredClone(req))).toEqual(first);
    expect(bayesStrategy({ ...req, seed: 4 })).not.toEqual(first);
  });

  it('hands 8 parallel workers 8 different, spread-out points from the very first call', () => {
    const { suggestions } = bayesStrategy(request({ n: 8 }));
    expect(new Set(suggestions.map((p) => canonicalKey(p))).size).toBe(8);
    // Sobol' points: every quarter of x1's range gets two.
    const quarters = suggestions.map((p) => Math.floor(((p.x1 as number) + 5) / 3.75));
    expect([0, 1, 2, 3].map((q) => quarters.filter((v) => v === q).length)).toEqual([2, 2, 2, 2]);
  });

  it('keeps a batch and the pending trials apart once the GP is in charge (kriging believer)', () => {
    const finished = randomHistory(15, 2);
    const pending = bayesStrategy(request({ finished, n: 1, startIndex: 15 })).suggestions;
    const { suggestions } = bayesStrategy(request({ finished, pending, n: 4, startIndex: 16 }));
    const all = [...pending, ...suggestions];
    expect(new Set(all.map((p) => canonicalKey(p))).size).toBe(5);
    // Not just different bits: believers push the batch to distinct places.
    for (let i = 0; i < all.length; i++) {
      for (let j = 0; j < i; j++) {
        const d = Math.hypot(
          (all[i]!.x1 as number) - (all[j]!.x1 as number),
          (all[i]!.x2 as number) - (all[j]!.x2 as number),
        );
        expect(d).toBeGreaterThan(1e-3);
      }
    }
  });

  it('never repeats a point on a discrete space and reports exhaustion', () => {
    const discrete = space({
      lr: { distribution: 'categorical', values: [0.1, 0.01, 0.001] },
      layers: { distribution: 'int_uniform', min: 1, max: 3 },
    });
    const f = (p: Params) => Math.abs(Math.log10(p.lr as number) + 2) + Math.abs((p.layers as number) - 2);
    const finished: Observation[] = [];
    const keys = new Set<string>();
    for (let k = 0; k < 9; k++) {
      const { suggestions, exhausted } = bayesStrategy(request({ space: discrete, finished, startIndex: k }));
      expect(suggestions).toHaveLength(1);
      keys.add(canonicalKey(suggestions[0]!));
      finished.push({ params: suggestions[0]!, value: f(suggestions[0]!), status: 'succeeded' });
      expect(exhausted).toBe(k === 8);
    }
    expect(keys.size).toBe(9);
    expect(bayesStrategy(request({ space: discrete, finished, startIndex: 9 }))).toEqual({
      suggestions: [],
      exhausted: true,
    });
  });

  it('rounds integers and q_ values after the acquisition step', () => {
    const mixed = space({
      layers: { distribution: 'int_uniform', min: 1, max: 8 },
      drop: { distribution: 'q_uniform', min: 0, max: 0.5, q: 0.05 },
      lr: { distribution: 'log_uniform_values', min: 1e-5, max: 1 },
    });
    const f = (p: Params) =>
      ((p.layers as number) - 3) ** 2 + (Math.log10(p.lr as number) + 3) ** 2 + (p.drop as number);
    const finished: Observation[] = [];
    for (let k = 0; k < 14; k++) {
      const [p] = bayesStrategy(request({ space: mixed, finished, startIndex: k })).suggestions;
      expect(Number.isInteger(p!.layers)).toBe(true);
      expect(Math.abs((p!.drop as number) / 0.05 - Math.round((p!.drop as number) / 0.05))).toBeLessThan(1e-9);
      finished.push({ params: p!, value: f(p!), status: 'succeeded' });
    }
  });

  it('treats failed trials as bad and maximizes when asked', () => {
    const finished: Observation[] = randomHistory(12, 5).map((o) => ({ ...o, value: -(o.value as number) }));
    finished.push({ params: { x1: 0, x2: 0 }, value: null, status: 'failed' });
    const { suggestions } = bayesStrategy(request({ finished, goal: 'maximize', startIndex: 13 }));
    expect(suggestions).toHaveLength(1);
  });

  it('starts with max(2·dims, 5) space-filling points before fitting a model', () => {
    expect(initialDesignSize(2)).toBe(5);
    expect(initialDesignSize(6)).toBe(12);
  });

  it('hands mostly categorical spaces to multivariate TPE', () => {
    const cats = space({
      a: { distribution: 'categorical', values: [1, 2, 3] },
      b: { distribution: 'categorical', values: ['x', 'y'] },
      c: { distribution: 'categorical', values: [true, false] },
      d: { distribution: 'categorical', values: ['p', 'q', 'r'] },
      e: { distribution: 'uniform', min: 0, max: 1 },
    });
    expect(bayesUsesTpe(createUnitSpace(cats))).toBe(true);
    expect(bayesUsesTpe(createUnitSpace(braninSpace))).toBe(false);
    const req = request({ space: cats, n: 2 });
    expect(bayesStrategy(req)).toEqual(createTpeStrategy({ multivariate: true })(req));
  });

  // Small-budget regression guard, not the benchmark (bench/search): 30 trials, 4 seeds.
  it('beats random search on Branin', () => {
    const seeds = [0, 1, 2, 3];
    const bayes = seeds.map((s) => optimize(bayesStrategy, s, 30) - BRANIN_MIN);
    const random = seeds.map((s) => optimize(randomStrategy, s, 30) - BRANIN_MIN);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    expect(median(bayes)).toBeLessThan(median(random) / 10);
    expect(median(bayes)).toBeLessThan(0.05);
  });
});
