import { describe, expect, it } from 'vitest';
import { isPrimitivePolynomial, SOBOL_MAX_DIMS, sobolPoint, sobolPolynomial } from './sobol';

describe('isPrimitivePolynomial', () => {
  it('knows small primitive and non-primitive polynomials', () => {
    expect(isPrimitivePolynomial(2, 1)).toBe(true); // x²+x+1
    expect(isPrimitivePolynomial(3, 1)).toBe(true); // x³+x+1
    expect(isPrimitivePolynomial(3, 0)).toBe(false); // x³+1 = (x+1)(x²+x+1)
    expect(isPrimitivePolynomial(4, 3)).toBe(false); // x⁴+x³+x²+x+1 has order 5, not 15
    expect(isPrimitivePolynomial(4, 1)).toBe(true); // x⁴+x+1
  });

  it('holds for every dimension the sequence uses', () => {
    for (let dim = 1; dim < SOBOL_MAX_DIMS; dim++) {
      const poly = sobolPolynomial(dim);
      expect(poly, `dimension ${dim + 1}`).toBeDefined();
      expect(isPrimitivePolynomial(poly!.s, poly!.a), `dimension ${dim + 1}`).toBe(true);
    }
  });
});

describe('sobolPoint', () => {
  it('starts with the textbook points', () => {
    expect([...sobolPoint(0, 3)]).toEqual([0, 0, 0]);
    expect([...sobolPoint(1, 3)]).toEqual([0.5, 0.5, 0.5]);
    expect([...sobolPoint(2, 3)]).toEqual([0.75, 0.25, 0.25]);
    expect([...sobolPoint(3, 3)]).toEqual([0.25, 0.75, 0.75]);
  });

  it('stratifies every dimension: the first 2^k points hit each interval of width 2^-k once', () => {
    const k = 7;
    const n = 2 ** k;
    for (let d = 0; d < SOBOL_MAX_DIMS; d++) {
      const hits = new Set<number>();
      for (let i = 0; i < n; i++) hits.add(Math.floor(sobolPoint(i, SOBOL_MAX_DIMS)[d]! * n));
      expect(hits.size, `dimension ${d + 1}`).toBe(n);
    }
  });

  it('makes dimensions 1 and 2 a (0,2)-sequence: 16 points fill a 4×4 grid once each', () => {
    const cells = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const [x, y] = sobolPoint(i, 2);
      cells.add(`${Math.floor(x! * 4)},${Math.floor(y! * 4)}`);
    }
    expect(cells.size).toBe(16);
  });

  it('rejects more dimensions than it has direction numbers for', () => {
    expect(() => sobolPoint(0, SOBOL_MAX_DIMS + 1)).toThrow(/at most/);
  });
});
