import { describe, expect, it } from 'vitest';
import { newSeed, newSweepId } from './sweep-ids';

describe('sweep ids', () => {
  it('makes 8-character ids of Crockford base32 (no i, l, o, u) that differ', () => {
    const ids = Array.from({ length: 50 }, newSweepId);
    for (const id of ids) expect(id).toMatch(/^[0-9abcdefghjkmnpqrstvwxyz]{8}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('makes non-negative 31-bit seeds', () => {
    for (let i = 0; i < 50; i++) {
      const seed = newSeed();
      expect(Number.isInteger(seed) && seed >= 0 && seed <= 0x7fffffff).toBe(true);
    }
  });
});
