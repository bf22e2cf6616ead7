import type { SearchSpace } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { createUnitSpace } from '../unit-space';
import { createParzenEstimator } from './parzen-estimator';

const unit = createUnitSpace({
  params: [{ name: 'x', path: ['x'], dist: { distribution: 'uniform', min: 0, max: 1 } }],
} satisfies SearchSpace);
const points = [0.1, 0.15, 0.7, 0.72, 0.9].map((v) => Float64Array.of(v));
const estimator = (bandwidthWeighted: boolean) =>
  createParzenEstimator(unit, points, [1, 1, 1, 1, 1], {
    priorWeight: 1,
    multivariate: false,
    magicClip: true,
    bandwidthWeighted,
  });

describe('createParzenEstimator', () => {
  it('is a normalized density on [0, 1] (textbook scoring)', () => {
    const pe = estimator(false);
    let integral = 0;
    const steps = 20000;
    for (let i = 0; i < steps; i++) integral += Math.exp(pe.logPdf(Float64Array.of((i + 0.5) / steps))) / steps;
    expect(integral).toBeCloseTo(1, 4);
  });

  it("reproduces Optuna 3.1's log_pdf with bandwidth-weighted scoring", () => {
    // Optuna 3.1.0 (Debian's python3-optuna): _ParzenEstimator({x: [0.1, 0.15, 0.7, 0.72, 0.9]}, uniform(0, 1),
    // prior on, magic clip on, endpoints off, default weights).log_pdf at these points.
    const optuna = [-1.0882154258524461, -1.171454803984703, -0.9330920403171995, -1.237549216722376];
    const pe = estimator(true);
    [0.05, 0.3, 0.71, 0.99].forEach((x, i) => {
      expect(pe.logPdf(Float64Array.of(x))).toBeCloseTo(optuna[i]!, 5);
    });
  });

  it('samples stay in [0, 1] and follow the density', () => {
    const pe = estimator(false);
    let state = 1;
    const rng = () => {
      state = (state * 48271) % 2147483647;
      return state / 2147483647;
    };
    const out = new Float64Array(1);
    let nearCluster = 0;
    for (let i = 0; i < 2000; i++) {
      pe.sample(rng, out);
      expect(out[0]).toBeGreaterThanOrEqual(0);
      expect(out[0]).toBeLessThanOrEqual(1);
      if (out[0]! > 0.6 && out[0]! < 0.8) nearCluster++;
    }
    let mass = 0;
    for (let i = 0; i < 2000; i++)
      mass += Math.exp(pe.logPdf(Float64Array.of(0.6 + (0.2 * (i + 0.5)) / 2000))) * (0.2 / 2000);
    expect(mass).toBeGreaterThan(0.22); // more than a uniform's 20%: two components sit there
    expect(Math.abs(nearCluster / 2000 - mass)).toBeLessThan(0.03);
  });
});
