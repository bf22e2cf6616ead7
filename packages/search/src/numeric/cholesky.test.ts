import { describe, expect, it } from 'vitest';
import { trialRng } from '../rng';
import { cholesky, choleskyInverse, solveLower, solveUpper } from './cholesky';

function spd(n: number, seed: number): Float64Array {
  const rng = trialRng(seed, 0);
  const b = Float64Array.from({ length: n * n }, () => rng() - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      a[i * n + j] = s;
    }
  }
  return a;
}

describe('cholesky', () => {
  it('factors, solves and inverts a random SPD matrix', () => {
    const n = 7;
    const a = spd(n, 1);
    const { l, jitter } = cholesky(a, n);
    expect(jitter).toBe(0);
    const b = Float64Array.from({ length: n }, (_, i) => i - 3);
    const x = solveUpper(l, n, solveLower(l, n, Float64Array.from(b)));
    const inv = choleskyInverse(l, n);
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let k = 0; k < n; k++) ax += a[i * n + k]! * x[k]!;
      expect(ax).toBeCloseTo(b[i]!, 10);
      for (let j = 0; j < n; j++) {
        let ai = 0;
        for (let k = 0; k < n; k++) ai += a[i * n + k]! * inv[k * n + j]!;
        expect(ai).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it('adds jitter to a singular matrix instead of failing', () => {
    // Two identical points: a rank-1 kernel matrix.
    const { jitter } = cholesky(Float64Array.of(1, 1, 1, 1), 2);
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThan(1e-6);
  });

  it('gives up with a typed error on a matrix that is not positive semi-definite', () => {
    expect(() => cholesky(Float64Array.of(1, 2, 2, 1), 2)).toThrow(
      expect.objectContaining({ code: 'NUMERICAL_FAILURE' }),
    );
  });
});
