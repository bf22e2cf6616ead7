import { describe, expect, it } from 'vitest';
import { trialRng } from '../rng';
import { conditionGp, fitHyperparameters, type GpData, negLogPosterior, pairDistances } from './gaussian-process';
import { matern52 } from './matern52';

function data1d(xs: number[], ys: number[]): GpData {
  return {
    x: Float64Array.from(xs),
    y: Float64Array.from(ys),
    n: xs.length,
    dims: 1,
    groups: Int32Array.of(0),
    groupCount: 1,
  };
}

const theta = (ell: number, signal: number, noise: number) =>
  Float64Array.of(Math.log(ell), Math.log(signal), Math.log(noise));

describe('matern52', () => {
  it('is 1 at 0 and matches the closed form at r = 1', () => {
    expect(matern52(0)).toBe(1);
    const s5 = Math.sqrt(5);
    expect(matern52(1)).toBeCloseTo((1 + s5 + 5 / 3) * Math.exp(-s5), 14);
  });
});

describe('conditionGp', () => {
  it('matches the closed-form posterior for one observation', () => {
    const [ell, signal, noise] = [0.3, 2, 0.1];
    const gp = conditionGp(data1d([0.2], [1.5]), theta(ell, signal, noise));
    const { mean, variance } = gp.predict(Float64Array.of(0.5), 1);
    const kstar = signal * matern52(0.3 / ell);
    expect(mean[0]).toBeCloseTo((kstar / (signal + noise)) * 1.5, 12);
    expect(variance[0]).toBeCloseTo(signal - (kstar * kstar) / (signal + noise), 12);
  });

  it('matches the closed-form posterior for two observations (2×2 inverse by hand)', () => {
    const [ell, signal, noise] = [0.5, 1, 0.01];
    const xs = [0.1, 0.7];
    const ys = [-1, 2];
    const gp = conditionGp(data1d(xs, ys), theta(ell, signal, noise));
    const k = (a: number, b: number) => signal * matern52(Math.abs(a - b) / ell);
    const a = k(0.1, 0.1) + noise;
    const b = k(0.1, 0.7);
    const d = k(0.7, 0.7) + noise;
    const det = a * d - b * b;
    const inv = [d / det, -b / det, -b / det, a / det];
    const ks = [k(0.4, 0.1), k(0.4, 0.7)];
    const alpha = [inv[0]! * ys[0]! + inv[1]! * ys[1]!, inv[2]! * ys[0]! + inv[3]! * ys[1]!];
    const mean = ks[0]! * alpha[0]! + ks[1]! * alpha[1]!;
    const quad = ks[0]! * (inv[0]! * ks[0]! + inv[1]! * ks[1]!) + ks[1]! * (inv[2]! * ks[0]! + inv[3]! * ks[1]!);
    const out = gp.predict(Float64Array.of(0.4), 1);
    expect(out.mean[0]).toBeCloseTo(mean, 12);
    expect(out.variance[0]).toBeCloseTo(signal - quad, 12);
  });

  it('interpolates noiseless data and keeps almost no variance at an observed point', () => {
    const gp = conditionGp(data1d([0, 0.5, 1], [1, -1, 0.5]), theta(0.4, 1, 1e-6));
    const { mean, variance } = gp.predict(Float64Array.of(0.5), 1);
    expect(mean[0]).toBeCloseTo(-1, 4);
    expect(variance[0]).toBeLessThan(1e-5);
  });
});

describe('negLogPosterior', () => {
  it('has a gradient that matches central finite differences (likelihood alone and with priors)', () => {
    const rng = trialRng(1, 0);
    const n = 12;
    const dims = 3;
    const x = Float64Array.from({ length: n * dims }, () => rng());
    const y = Float64Array.from(
      { length: n },
      (_, i) => Math.sin(5 * x[i * dims]!) + x[i * dims + 1]! - x[i * dims + 2]!,
    );
    // Features 1 and 2 share a group, as a categorical's one-hot block does.
    const data: GpData = { x, y, n, dims, groups: Int32Array.of(0, 1, 1), groupCount: 2 };
    const dist = pairDistances(data);
    for (const usePrior of [false, true]) {
      const th = Float64Array.of(Math.log(0.4), Math.log(0.9), Math.log(1.3), Math.log(0.02));
      const grad = new Float64Array(4);
      negLogPosterior(data, dist, th, grad, usePrior);
      for (let i = 0; i < 4; i++) {
        const h = 1e-5;
        const plus = Float64Array.from(th);
        const minus = Float64Array.from(th);
        plus[i] = plus[i]! + h;
        minus[i] = minus[i]! - h;
        const fd =
          (negLogPosterior(data, dist, plus, null, usePrior) - negLogPosterior(data, dist, minus, null, usePrior)) /
          (2 * h);
        expect(grad[i]).toBeCloseTo(fd, 5);
      }
    }
  });
});

describe('fitHyperparameters', () => {
  it('learns a long length scale for an irrelevant input and predicts held-out points', () => {
    const rng = trialRng('fit', 0);
    const n = 30;
    const x = Float64Array.from({ length: n * 2 }, () => rng());
    const f = (a: number) => Math.sin(6 * a);
    const y = Float64Array.from({ length: n }, (_, i) => f(x[i * 2]!));
    const data: GpData = { x, y, n, dims: 2, groups: Int32Array.of(0, 1), groupCount: 2 };
    const th = fitHyperparameters(data, trialRng('fit', 1));
    expect(Math.exp(th[1]!)).toBeGreaterThan(3 * Math.exp(th[0]!));
    const gp = conditionGp(data, th);
    const test = Float64Array.of(0.33, 0.9, 0.71, 0.05);
    const { mean } = gp.predict(test, 2);
    expect(mean[0]).toBeCloseTo(f(0.33), 1);
    expect(mean[1]).toBeCloseTo(f(0.71), 1);
  });
});
