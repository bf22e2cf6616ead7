import type { Distribution, Params, SearchSpace } from '@hyperfleet/domain';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { canonicalKey } from './canonical-key';
import { randomStrategy } from './random-strategy';
import { trialRng } from './rng';
import { sampleParams } from './sample-distribution';
import type { Observation, SuggestRequest } from './types';

function space(params: Record<string, Distribution>): SearchSpace {
  return { params: Object.entries(params).map(([name, dist]) => ({ name, path: name.split('.'), dist })) };
}

function request(s: SearchSpace, overrides: Partial<SuggestRequest> = {}): SuggestRequest {
  return { space: s, goal: 'minimize', finished: [], pending: [], n: 1, startIndex: 0, seed: 42, ...overrides };
}

const done = (params: Params): Observation => ({ params, value: 1, status: 'succeeded' });

const continuous = space({
  'optimizer.lr': { distribution: 'log_uniform_values', min: 1e-5, max: 1e-1 },
  dropout: { distribution: 'uniform', min: 0, max: 0.5 },
  layers: { distribution: 'int_uniform', min: 1, max: 4 },
});

const discrete = space({
  opt: { distribution: 'categorical', values: ['adam', 'sgd', 'rmsprop'] },
  layers: { distribution: 'int_uniform', min: 1, max: 4 },
  tag: { distribution: 'constant', value: 'v1' },
});

describe('randomStrategy', () => {
  it('draws trial k from seedrandom.alea("<seed>:<k>")', () => {
    const result = randomStrategy(request(continuous, { n: 3, startIndex: 5 }));
    expect(result.suggestions).toEqual([5, 6, 7].map((k) => sampleParams(continuous, seedrandom.alea(`42:${k}`))));
    expect(trialRng(42, 6)()).toBe(seedrandom.alea('42:6')());
    expect(result.suggestions[0]).toMatchObject({ optimizer: { lr: expect.any(Number) } });
    expect(result.exhausted).toBe(false);
  });

  it('is reproducible with the same seed and differs with another', () => {
    const a = randomStrategy(request(continuous, { n: 4 })).suggestions;
    expect(randomStrategy(request(continuous, { n: 4 })).suggestions).toEqual(a);
    expect(randomStrategy(request(continuous, { n: 4, seed: 43 })).suggestions).not.toEqual(a);
  });

  it('gives trial k the same params whatever the batch size and the order earlier trials finished in', () => {
    const batch = randomStrategy(request(continuous, { n: 6 })).suggestions;
    const one = (k: number, finished: Observation[], pending: Params[]) =>
      randomStrategy(request(continuous, { n: 1, startIndex: k, finished, pending })).suggestions[0];
    expect(one(4, [done(batch[2]!), done(batch[0]!)], [batch[3]!, batch[1]!])).toEqual(batch[4]);
    expect(one(4, [done(batch[0]!), done(batch[1]!), done(batch[3]!)], [batch[2]!])).toEqual(batch[4]);
    expect(one(5, [], [])).toEqual(batch[5]);
  });

  it('without replacement (the default on discrete spaces) never repeats and reports exhaustion', () => {
    const all: Params[] = [];
    const pending: Params[] = [];
    let exhausted = false;
    // Two callers sharing the store: each sees the other's pending trials.
    for (let round = 0; round < 10 && !exhausted; round++) {
      const result = randomStrategy(
        request(discrete, { finished: all.map(done), pending, n: 2, startIndex: all.length + pending.length }),
      );
      pending.push(...result.suggestions);
      if (round % 2 === 1) all.push(...pending.splice(0));
      exhausted = result.exhausted;
    }
    all.push(...pending);
    expect(exhausted).toBe(true);
    expect(all).toHaveLength(12);
    expect(new Set(all.map(canonicalKey)).size).toBe(12);
    for (const point of all) expect(point.tag).toBe('v1');
    expect(randomStrategy(request(discrete, { finished: all.map(done), n: 3 }))).toEqual({
      suggestions: [],
      exhausted: true,
    });
  });

  it('one batch can use up the space exactly', () => {
    const result = randomStrategy(request(discrete, { n: 12 }));
    expect(new Set(result.suggestions.map(canonicalKey)).size).toBe(12);
    expect(result.exhausted).toBe(true);
    const partial = randomStrategy(request(discrete, { n: 11 }));
    expect(partial.exhausted).toBe(false);
  });

  it('finds the last free point of a large, nearly used-up space (scan fallback)', () => {
    const s = space({ x: { distribution: 'int_uniform', min: 0, max: 999 } });
    const finished = Array.from({ length: 1000 }, (_, x) => x)
      .filter((x) => x !== 617)
      .map((x) => done({ x }));
    const result = randomStrategy(request(s, { finished, n: 5, startIndex: 999 }));
    expect(result).toEqual({ suggestions: [{ x: 617 }], exhausted: true });
  });

  it('matches finished params canonically (3000000.0 is 3e6)', () => {
    const s = space({ steps: { distribution: 'categorical', values: [3e6, 1000] } });
    const finished = [done(JSON.parse('{"steps": 3000000.0}'))];
    expect(randomStrategy(request(s, { finished, n: 5 }))).toEqual({ suggestions: [{ steps: 1000 }], exhausted: true });
  });

  it('leaves zero-probability values out of the space', () => {
    const s = space({ c: { distribution: 'categorical', values: ['a', 'b', 'never'], probabilities: [0.5, 0.5, 0] } });
    const result = randomStrategy(request(s, { n: 5 }));
    expect(result.suggestions.map((p) => p.c).sort()).toEqual(['a', 'b']);
    expect(result.exhausted).toBe(true);
  });

  it('enumerates q_uniform as W&B rounds it (multiples of q)', () => {
    const s = space({ x: { distribution: 'q_uniform', min: 0, max: 1, q: 0.25 } });
    const result = randomStrategy(request(s, { n: 10 }));
    expect(result.suggestions.map((p) => p.x).sort()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(result.exhausted).toBe(true);
  });

  it('with replacement on a discrete space repeats points and never exhausts', () => {
    const s = space({ c: { distribution: 'categorical', values: [1, 2] } });
    const result = randomStrategy(request(s, { n: 40, options: { withoutReplacement: false } }));
    expect(result.suggestions).toHaveLength(40);
    expect(new Set(result.suggestions.map(canonicalKey)).size).toBe(2);
    expect(result.exhausted).toBe(false);
  });

  it('a space with a continuous parameter never exhausts, even when asked for no repeats', () => {
    const result = randomStrategy(request(continuous, { n: 200, options: { withoutReplacement: true } }));
    expect(result.suggestions).toHaveLength(200);
    expect(new Set(result.suggestions.map(canonicalKey)).size).toBe(200);
    expect(result.exhausted).toBe(false);
  });

  it('samples every parameter within its distribution (nested paths included)', () => {
    const { suggestions } = randomStrategy(request(continuous, { n: 300 }));
    for (const p of suggestions) {
      const lr = (p.optimizer as { lr: number }).lr;
      expect(lr >= 1e-5 && lr <= 1e-1).toBe(true);
      expect((p.dropout as number) >= 0 && (p.dropout as number) < 0.5).toBe(true);
      expect([1, 2, 3, 4]).toContain(p.layers);
    }
  });

  it('rejects a malformed request', () => {
    expect(() => randomStrategy(request(continuous, { startIndex: -1 }))).toThrow(/startIndex/);
    expect(() => randomStrategy(request(continuous, { n: 1.5 }))).toThrow(/n must be/);
  });
});
