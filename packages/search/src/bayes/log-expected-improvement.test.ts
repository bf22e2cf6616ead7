import { describe, expect, it } from 'vitest';
import { normalCdf, normalPdf } from '../numeric/normal';
import { logExpectedImprovement } from './log-expected-improvement';
import { fitYeoJohnson, standardize, warpOutputs, yeoJohnson } from './output-warping';

// EI by numerical integration of E[max(best − f, 0)], f ~ N(μ, σ²).
function integratedEi(mean: number, sd: number, best: number): number {
  let sum = 0;
  const steps = 200000;
  const lo = mean - 12 * sd;
  const h = (24 * sd) / steps;
  for (let i = 0; i < steps; i++) {
    const f = lo + (i + 0.5) * h;
    sum += Math.max(best - f, 0) * (normalPdf((f - mean) / sd) / sd) * h;
  }
  return sum;
}

describe('logExpectedImprovement', () => {
  it('matches EI computed by integration', () => {
    for (const [mean, sd, best] of [
      [0, 1, 0],
      [1, 0.5, 0.2],
      [-1, 2, 0.5],
    ] as const) {
      expect(Math.exp(logExpectedImprovement(mean, sd * sd, best))).toBeCloseTo(integratedEi(mean, sd, best), 5);
    }
  });

  it('matches the closed form σ(zΦ(z)+φ(z))', () => {
    const z = 0.7;
    expect(logExpectedImprovement(0, 4, 2 * z)).toBeCloseTo(Math.log(2 * (z * normalCdf(z) + normalPdf(z))), 6);
  });

  it('stays finite, ordered and smooth where EI underflows', () => {
    const values = [10, 20, 40, 80].map((gap) => logExpectedImprovement(gap, 1, 0));
    for (const v of values) expect(Number.isFinite(v)).toBe(true);
    expect(values[0]).toBeGreaterThan(values[1]!);
    expect(values[1]).toBeGreaterThan(values[2]!);
    // Continuous across the switch to the asymptotic series at z = -8.
    expect(logExpectedImprovement(7.999999, 1, 0)).toBeCloseTo(logExpectedImprovement(8.000001, 1, 0), 4);
    // Leading term: log EI ≈ log φ(z) − 2 log|z| for large |z|.
    expect(logExpectedImprovement(80, 1, 0)).toBeCloseTo(-3200 - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(80), 3);
  });
});

describe('warpOutputs', () => {
  it('keeps the order and pulls in a heavy right tail', () => {
    const y = Float64Array.of(0.5, 1, 2, 5, 30, 200, 5000, 1e6);
    const w = warpOutputs(y);
    for (let i = 1; i < y.length; i++) expect(w[i]).toBeGreaterThan(w[i - 1]!);
    expect(fitYeoJohnson(Float64Array.from(y, (v) => v / 1e5))).toBeLessThan(1);
    // Plain standardization squeezes the small values together (1e-5 apart); the warp spreads them out.
    const plain = standardize(y);
    expect(plain[3]! - plain[0]!).toBeLessThan(1e-4);
    expect(w[3]! - w[0]!).toBeGreaterThan(0.1);
  });

  it('is the identity transform at λ = 1', () => {
    expect(yeoJohnson(0.3, 1)).toBeCloseTo(0.3, 12);
    expect(yeoJohnson(-0.3, 1)).toBeCloseTo(-0.3, 12);
  });
});
