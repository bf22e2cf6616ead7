import type { Distribution, Params, SearchSpace } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { canonicalKey } from './canonical-key';
import { GridUnsupportedDistributionError } from './errors';
import { gridSize, gridSpace, gridStrategy } from './grid-strategy';
import type { SuggestRequest } from './types';

function space(params: Record<string, Distribution>): SearchSpace {
  return { params: Object.entries(params).map(([name, dist]) => ({ name, path: name.split('.'), dist })) };
}

function request(s: SearchSpace, overrides: Partial<SuggestRequest> = {}): SuggestRequest {
  return { space: s, goal: 'maximize', finished: [], pending: [], n: 1, startIndex: 0, seed: 1, ...overrides };
}

const done = (params: Params) => ({ params, value: 0.5, status: 'succeeded' as const });

/** Drives the strategy like a scheduler with `batch` slots until it says exhausted. */
function runAll(s: SearchSpace, batch: number, options?: SuggestRequest['options']): Params[] {
  const all: Params[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const result = gridStrategy(request(s, { finished: all.map(done), n: batch, options, startIndex: all.length }));
    all.push(...result.suggestions);
    if (result.exhausted) return all;
  }
  throw new Error('grid never exhausted');
}

const abc = space({
  a: { distribution: 'categorical', values: [1, 2] },
  b: { distribution: 'categorical', values: ['x', 'y', 'z'] },
});

describe('gridStrategy', () => {
  it('walks the cartesian product in config order, last parameter fastest', () => {
    const result = gridStrategy(request(abc, { n: 10 }));
    expect(result.suggestions).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' },
    ]);
    expect(result.exhausted).toBe(true);
  });

  it('reports exhausted only when no unseen point is left after the batch', () => {
    expect(gridStrategy(request(abc, { n: 5 })).exhausted).toBe(false);
    expect(gridStrategy(request(abc, { n: 6 })).exhausted).toBe(true);
    const all = gridStrategy(request(abc, { n: 6 })).suggestions;
    const after = gridStrategy(request(abc, { finished: all.map(done), n: 3 }));
    expect(after).toEqual({ suggestions: [], exhausted: true });
  });

  it('continues from finished trials (any status) on a fresh call, as a restarted scheduler would', () => {
    const finished = [
      { params: { a: 1, b: 'x' }, value: null, status: 'failed' as const },
      { params: { b: 'y', a: 1 }, value: 1, status: 'succeeded' as const },
    ];
    expect(gridStrategy(request(abc, { finished, n: 2 })).suggestions).toEqual([
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
    ]);
  });

  it('never gives parallel callers the same point (pending counts as taken)', () => {
    const first = gridStrategy(request(abc, { n: 2 }));
    const second = gridStrategy(request(abc, { pending: first.suggestions, n: 2 }));
    const third = gridStrategy(request(abc, { pending: [...first.suggestions, ...second.suggestions], n: 5 }));
    const all = [...first.suggestions, ...second.suggestions, ...third.suggestions];
    expect(new Set(all.map(canonicalKey)).size).toBe(6);
    expect(third.exhausted).toBe(true);
  });

  it('builds nested params from paths and supports constant, int_uniform and q_uniform', () => {
    const s = space({
      'optimizer.name': { distribution: 'constant', value: 'sgd' },
      'optimizer.lr': { distribution: 'q_uniform', min: 0, max: 1, q: 0.1 },
      layers: { distribution: 'int_uniform', min: 2, max: 4 },
    });
    expect(gridSize(s)).toBe(33);
    const points = runAll(s, 4);
    expect(points).toHaveLength(33);
    expect(points[0]).toEqual({ optimizer: { name: 'sgd', lr: 0 }, layers: 2 });
    const lrs = [...new Set(points.map((p) => (p.optimizer as { lr: number }).lr))];
    // float-safe steps: 0.3 and 0.7, not 0.30000000000000004 and 0.7000000000000001; max included
    expect(lrs).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect([...new Set(points.map((p) => p.layers))]).toEqual([2, 3, 4]);
  });

  it('q_uniform stops at the last step not past max', () => {
    const s = space({ x: { distribution: 'q_uniform', min: 0.5, max: 2, q: 0.4 } });
    expect(runAll(s, 10).map((p) => p.x)).toEqual([0.5, 0.9, 1.3, 1.7]);
  });

  it('dedupes values that are canonically equal (3e6 and 3000000, reordered objects)', () => {
    const s = space({
      steps: { distribution: 'categorical', values: [3e6, 3000000, 1000] },
      cfg: {
        distribution: 'categorical',
        values: [
          { a: 1, b: 2 },
          { b: 2, a: 1 },
        ],
      },
    });
    expect(gridSize(s)).toBe(2);
    expect(runAll(s, 10)).toEqual([
      { steps: 3000000, cfg: { a: 1, b: 2 } },
      { steps: 1000, cfg: { a: 1, b: 2 } },
    ]);
  });

  it('recognizes finished params spelled differently (3000000.0, float noise, extra keys)', () => {
    const s = space({
      steps: { distribution: 'categorical', values: [3e6, 1000] },
      lr: { distribution: 'q_uniform', min: 0, max: 0.3, q: 0.1 },
    });
    const finished = [done(JSON.parse('{"steps": 3000000.0, "lr": 0.30000000000000004, "note": "x"}'))];
    const all = gridStrategy(request(s, { finished, n: 100 }));
    expect(all.suggestions).toHaveLength(7);
    expect(all.suggestions).not.toContainEqual({ steps: 3000000, lr: 0.3 });
  });

  it('ignores finished params that are not on the grid (config changed)', () => {
    const finished = [done({ a: 3, b: 'x' }), done({ a: 1 })];
    expect(gridStrategy(request(abc, { finished, n: 6 })).suggestions).toHaveLength(6);
  });

  it('throws a typed error naming a parameter it cannot enumerate', () => {
    const s = space({
      a: { distribution: 'categorical', values: [1] },
      'optimizer.lr': { distribution: 'log_uniform_values', min: 1e-4, max: 1e-1 },
    });
    expect(() => gridStrategy(request(s))).toThrow(GridUnsupportedDistributionError);
    try {
      gridStrategy(request(s));
    } catch (error) {
      expect(error).toMatchObject({ code: 'GRID_UNSUPPORTED_DISTRIBUTION', param: 'optimizer.lr' });
      expect((error as Error).message).toContain('"optimizer.lr"');
      expect((error as Error).message).toContain('log_uniform_values');
    }
  });

  it('handles an empty axis and n = 0', () => {
    expect(gridStrategy(request(space({ a: { distribution: 'categorical', values: [] } }), { n: 3 }))).toEqual({
      suggestions: [],
      exhausted: true,
    });
    expect(gridStrategy(request(abc, { n: 0 }))).toEqual({ suggestions: [], exhausted: false });
    expect(() => gridStrategy(request(abc, { n: -1 }))).toThrow(/non-negative integer/);
    expect(() => gridStrategy(request(abc, { n: Number.NaN }))).toThrow(/non-negative integer/);
  });

  describe('shuffle', () => {
    const big = space({
      a: { distribution: 'int_uniform', min: 0, max: 9 },
      b: { distribution: 'int_uniform', min: 0, max: 9 },
      c: { distribution: 'categorical', values: ['x', 'y', 'z'] },
    });

    it('visits every point exactly once in a seeded order that is not the cartesian one', () => {
      const shuffled = runAll(big, 7, { shuffle: true });
      const plain = runAll(big, 7);
      expect(shuffled).toHaveLength(300);
      expect(new Set(shuffled.map(canonicalKey))).toEqual(new Set(plain.map(canonicalKey)));
      expect(shuffled.slice(0, 10)).not.toEqual(plain.slice(0, 10));
    });

    it('the order depends on the sweep seed only (stable across restarts and batch sizes)', () => {
      const once = gridStrategy(request(big, { n: 12, options: { shuffle: true }, seed: 7 })).suggestions;
      const inBatches = runAll(big, 5, { shuffle: true }).slice(0, 12);
      expect(inBatches).not.toEqual(once); // seed 1 vs 7
      const sameSeed: Params[] = [];
      for (let i = 0; i < 4; i++) {
        const next = gridStrategy(
          request(big, {
            finished: sameSeed.map(done),
            n: 3,
            startIndex: 100 + i,
            options: { shuffle: true },
            seed: 7,
          }),
        );
        sameSeed.push(...next.suggestions);
      }
      expect(sameSeed).toEqual(once);
    });
  });

  describe('large grids stay lazy', () => {
    const eightAxes = space(
      Object.fromEntries(
        Array.from({ length: 8 }, (_, i) => [`p${i}`, { distribution: 'int_uniform', min: 0, max: 9 } as Distribution]),
      ),
    );

    it('returns the first points of a 10^8-point grid at once', () => {
      const started = performance.now();
      const result = gridStrategy(request(eightAxes, { n: 2 }));
      expect(performance.now() - started).toBeLessThan(500);
      expect(gridSize(eightAxes)).toBe(100_000_000);
      expect(result.suggestions).toEqual([
        { p0: 0, p1: 0, p2: 0, p3: 0, p4: 0, p5: 0, p6: 0, p7: 0 },
        { p0: 0, p1: 0, p2: 0, p3: 0, p4: 0, p5: 0, p6: 0, p7: 1 },
      ]);
      expect(result.exhausted).toBe(false);
    });

    it('continues right after a block of 1000 taken points', () => {
      const taken = gridStrategy(request(eightAxes, { n: 1000 })).suggestions;
      const next = gridStrategy(request(eightAxes, { pending: taken, n: 1 }));
      // index 1000 = digits 0,0,0,0,1,0,0,0
      expect(next.suggestions).toEqual([{ p0: 0, p1: 0, p2: 0, p3: 0, p4: 1, p5: 0, p6: 0, p7: 0 }]);
    });

    it('shuffles a 10^30-point grid lazily', () => {
      const huge = space(
        Object.fromEntries(
          Array.from({ length: 10 }, (_, i) => [
            `p${i}`,
            { distribution: 'int_uniform', min: 0, max: 999 } as Distribution,
          ]),
        ),
      );
      const started = performance.now();
      const first = gridStrategy(request(huge, { n: 3, options: { shuffle: true } }));
      const second = gridStrategy(request(huge, { pending: first.suggestions, n: 3, options: { shuffle: true } }));
      expect(performance.now() - started).toBeLessThan(1000);
      expect(gridSpace(huge).size).toBe(10n ** 30n);
      expect(gridSize(huge)).toBe(1e30);
      const all = [...first.suggestions, ...second.suggestions];
      expect(new Set(all.map(canonicalKey)).size).toBe(6);
      for (const point of all) {
        expect(
          Object.values(point).every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 999),
        ).toBe(true);
      }
      expect(second.exhausted).toBe(false);
    });
  });
});
