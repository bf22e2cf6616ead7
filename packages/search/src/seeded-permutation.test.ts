import { describe, expect, it } from 'vitest';
import { seededPermutation } from './seeded-permutation';

function order(size: number, seed: string): bigint[] {
  const perm = seededPermutation(BigInt(size), seed);
  return Array.from({ length: size }, (_, p) => perm.forward(BigInt(p)));
}

describe('seededPermutation', () => {
  it('is a bijection of [0, size) whose inverse undoes it, for many sizes', () => {
    for (const size of [1, 2, 3, 5, 7, 16, 17, 63, 64, 65, 100, 1000]) {
      const perm = seededPermutation(BigInt(size), 'seed');
      const seen = new Set<bigint>();
      for (let p = 0n; p < BigInt(size); p++) {
        const index = perm.forward(p);
        expect(index >= 0n && index < BigInt(size)).toBe(true);
        expect(perm.inverse(index)).toBe(p);
        seen.add(index);
      }
      expect(seen.size).toBe(size);
    }
  });

  it('shuffles: depends on the seed and is not the identity', () => {
    const identity = Array.from({ length: 200 }, (_, i) => BigInt(i));
    expect(order(200, 'a')).not.toEqual(identity);
    expect(order(200, 'a')).toEqual(order(200, 'a'));
    expect(order(200, 'a')).not.toEqual(order(200, 'b'));
  });

  it('spreads the first positions over the whole range', () => {
    const first = order(10_000, 'spread').slice(0, 100).map(Number);
    expect(first.filter((i) => i < 5000).length).toBeGreaterThan(30);
    expect(first.filter((i) => i >= 5000).length).toBeGreaterThan(30);
  });

  it('works lazily on domains far beyond 2^53 (wide hash path)', () => {
    const size = 10n ** 30n;
    const perm = seededPermutation(size, 'wide');
    for (const p of [0n, 1n, 123456789n, size - 1n]) {
      const index = perm.forward(p);
      expect(index >= 0n && index < size).toBe(true);
      expect(perm.inverse(index)).toBe(p);
    }
    expect(perm.forward(0n)).not.toBe(perm.forward(1n));
  });

  it('rejects positions outside the range', () => {
    expect(() => seededPermutation(10n, 's').forward(10n)).toThrow(RangeError);
  });
});
