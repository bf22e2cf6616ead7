import type { Distribution, ParamValue } from '@hyperfleet/domain';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { sampleGamma } from './random-variates';
import type { Rng } from './rng';
import { sampleDistribution } from './sample-distribution';

const N = 20_000;

function draw(dist: Distribution, seed = 'sample-test', n = N): ParamValue[] {
  const rng = seedrandom.alea(seed);
  return Array.from({ length: n }, () => sampleDistribution(dist, rng));
}

function numbers(dist: Distribution, seed?: string): number[] {
  const values = draw(dist, seed);
  for (const v of values) expect(typeof v).toBe('number');
  return values as number[];
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

function fraction<T>(xs: readonly T[], predicate: (x: T) => boolean): number {
  return xs.filter(predicate).length / xs.length;
}

/** True when x is an exact, cleanly spelled multiple of q (0.3, not 0.30000000000000004). */
function isCleanMultiple(x: number, q: number): boolean {
  const k = Math.round(x / q);
  return Math.abs(k * q - x) < 1e-9 * Math.max(1, Math.abs(x)) && String(x).length <= 12;
}

describe('sampleDistribution', () => {
  it('constant returns the value, copying arrays and objects', () => {
    const value = { layers: [64, 32] };
    const rng = seedrandom.alea('c');
    const a = sampleDistribution({ distribution: 'constant', value }, rng);
    expect(a).toEqual(value);
    expect(a).not.toBe(value);
    expect(sampleDistribution({ distribution: 'constant', value: 'x' }, rng)).toBe('x');
  });

  it('categorical without probabilities is uniform over the values', () => {
    const values = draw({ distribution: 'categorical', values: ['a', 'b', 'c', 'd'] });
    for (const v of ['a', 'b', 'c', 'd']) expect(Math.abs(fraction(values, (x) => x === v) - 0.25)).toBeLessThan(0.015);
  });

  it('categorical honors probabilities; a zero-probability value never comes up', () => {
    const values = draw({
      distribution: 'categorical',
      values: ['a', 'b', 'c', 'd'],
      probabilities: [0.7, 0.2, 0.1, 0],
    });
    expect(Math.abs(fraction(values, (x) => x === 'a') - 0.7)).toBeLessThan(0.015);
    expect(Math.abs(fraction(values, (x) => x === 'b') - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(fraction(values, (x) => x === 'c') - 0.1)).toBeLessThan(0.015);
    expect(values).not.toContain('d');
  });

  it('categorical probabilities that sum to slightly under 1 give the top sliver to the last positive value', () => {
    const nearOne: Rng = () => 0.99999999;
    const dist: Distribution = {
      distribution: 'categorical',
      values: ['a', 'b', 'c'],
      probabilities: [0.5, 0.4999, 0],
    };
    expect(sampleDistribution(dist, nearOne)).toBe('b');
    expect(sampleDistribution(dist, () => 0)).toBe('a');
  });

  it('categorical rejects mismatched probabilities and empty values', () => {
    const rng = seedrandom.alea('x');
    expect(() => sampleDistribution({ distribution: 'categorical', values: [1, 2], probabilities: [1] }, rng)).toThrow(
      /2 values but 1 probabilities/,
    );
    expect(() => sampleDistribution({ distribution: 'categorical', values: [] }, rng)).toThrow(/no values/);
  });

  it('int_uniform is inclusive at both ends and uniform', () => {
    const values = numbers({ distribution: 'int_uniform', min: -2, max: 3 });
    expect(values.every(Number.isInteger)).toBe(true);
    expect(Math.min(...values)).toBe(-2);
    expect(Math.max(...values)).toBe(3);
    for (let v = -2; v <= 3; v++) expect(Math.abs(fraction(values, (x) => x === v) - 1 / 6)).toBeLessThan(0.015);
    expect(sampleDistribution({ distribution: 'int_uniform', min: 1, max: 5 }, () => 0.9999999999)).toBe(5);
    expect(sampleDistribution({ distribution: 'int_uniform', min: 1, max: 5 }, () => 0)).toBe(1);
  });

  it('uniform stays in [min, max) with the right mean and variance', () => {
    const values = numbers({ distribution: 'uniform', min: 2, max: 5 });
    expect(Math.min(...values)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...values)).toBeLessThan(5);
    expect(mean(values)).toBeCloseTo(3.5, 1);
    expect(variance(values)).toBeCloseTo(9 / 12, 1);
  });

  it('q_uniform rounds to clean multiples of q (ends get half weight, as round(x/q)*q does)', () => {
    const values = numbers({ distribution: 'q_uniform', min: 0, max: 1, q: 0.1 });
    expect(values.every((x) => isCleanMultiple(x, 0.1))).toBe(true);
    expect(new Set(values)).toEqual(new Set([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]));
    expect(Math.abs(fraction(values, (x) => x === 0) - 0.05)).toBeLessThan(0.01);
    expect(Math.abs(fraction(values, (x) => x === 0.3) - 0.1)).toBeLessThan(0.012);
  });

  it('log_uniform takes exponent bounds: exp(U(min, max))', () => {
    const values = numbers({ distribution: 'log_uniform', min: 1, max: 3 });
    expect(Math.min(...values)).toBeGreaterThanOrEqual(Math.E);
    expect(Math.max(...values)).toBeLessThanOrEqual(Math.exp(3));
    const logs = values.map(Math.log);
    expect(mean(logs)).toBeCloseTo(2, 1);
    expect(variance(logs)).toBeCloseTo(4 / 12, 1);
  });

  it('log_uniform_values takes value bounds and spreads evenly per decade', () => {
    const values = numbers({ distribution: 'log_uniform_values', min: 1e-5, max: 1e-1 });
    expect(Math.min(...values)).toBeGreaterThanOrEqual(1e-5);
    expect(Math.max(...values)).toBeLessThanOrEqual(1e-1);
    for (let decade = -5; decade < -1; decade++) {
      const share = fraction(values, (x) => x >= 10 ** decade && x < 10 ** (decade + 1));
      expect(Math.abs(share - 0.25)).toBeLessThan(0.015);
    }
  });

  it('q_log_uniform quantizes exp(U(min, max)) (the W&B batch-size example)', () => {
    const values = numbers({ distribution: 'q_log_uniform', min: Math.log(32), max: Math.log(256), q: 1 });
    expect(values.every(Number.isInteger)).toBe(true);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(32);
    expect(Math.max(...values)).toBeLessThanOrEqual(256);
    // log spread: a third of the log-range lies below 64.
    expect(Math.abs(fraction(values, (x) => x < 64) - 1 / 3)).toBeLessThan(0.02);
  });

  it('q_log_uniform_values quantizes a value-bounded log-uniform', () => {
    const values = numbers({ distribution: 'q_log_uniform_values', min: 32, max: 256, q: 8 });
    expect(values.every((x) => x % 8 === 0 && x >= 32 && x <= 256)).toBe(true);
    // rounding to 8 moves the cut: a result below 64 means a raw draw below 60.
    expect(Math.abs(fraction(values, (x) => x < 64) - Math.log(60 / 32) / Math.log(8))).toBeLessThan(0.015);
  });

  it('inv_log_uniform: log(1/X) ~ U(min, max)', () => {
    const values = numbers({ distribution: 'inv_log_uniform', min: 0, max: 3 });
    expect(Math.min(...values)).toBeGreaterThanOrEqual(Math.exp(-3));
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    const invLogs = values.map((x) => Math.log(1 / x));
    expect(mean(invLogs)).toBeCloseTo(1.5, 1);
    expect(variance(invLogs)).toBeCloseTo(9 / 12, 1);
  });

  it('inv_log_uniform_values: X in [min, max] with log(1/X) uniform', () => {
    const values = numbers({ distribution: 'inv_log_uniform_values', min: 1e-4, max: 1e-1 });
    expect(Math.min(...values)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...values)).toBeLessThanOrEqual(1e-1);
    for (let decade = -4; decade < -1; decade++) {
      const share = fraction(values, (x) => x >= 10 ** decade && x < 10 ** (decade + 1));
      expect(Math.abs(share - 1 / 3)).toBeLessThan(0.015);
    }
  });

  it('normal has mean mu, variance sigma², and 68% within one sigma', () => {
    const values = numbers({ distribution: 'normal', mu: 5, sigma: 2 });
    expect(Math.abs(mean(values) - 5)).toBeLessThan(0.05);
    expect(Math.abs(variance(values) - 4)).toBeLessThan(0.15);
    expect(Math.abs(fraction(values, (x) => Math.abs(x - 5) < 2) - 0.6827)).toBeLessThan(0.015);
    expect(Math.abs(fraction(values, (x) => x < 5) - 0.5)).toBeLessThan(0.015);
  });

  it('q_normal quantizes a normal', () => {
    const values = numbers({ distribution: 'q_normal', mu: 0, sigma: 3, q: 0.5 });
    expect(values.every((x) => isCleanMultiple(x, 0.5))).toBe(true);
    expect(Math.abs(mean(values))).toBeLessThan(0.1);
    expect(Math.abs(variance(values) - 9 - 0.25 / 12)).toBeLessThan(0.4);
  });

  it('log_normal: ln X ~ N(mu, sigma²)', () => {
    const values = numbers({ distribution: 'log_normal', mu: 0, sigma: 0.5 });
    expect(values.every((x) => x > 0)).toBe(true);
    const logs = values.map(Math.log);
    expect(Math.abs(mean(logs))).toBeLessThan(0.02);
    expect(Math.abs(variance(logs) - 0.25)).toBeLessThan(0.015);
  });

  it('q_log_normal quantizes a log-normal', () => {
    const values = numbers({ distribution: 'q_log_normal', mu: 3, sigma: 0.3, q: 1 });
    expect(values.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    // median of the log-normal is e^mu ≈ 20.09
    expect(Math.abs(fraction(values, (x) => x <= 20) - 0.5)).toBeLessThan(0.03);
  });

  it('beta(2, 5) has mean a/(a+b) and the beta variance', () => {
    const values = numbers({ distribution: 'beta', a: 2, b: 5 });
    expect(values.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(Math.abs(mean(values) - 2 / 7)).toBeLessThan(0.005);
    expect(Math.abs(variance(values) - 10 / (49 * 8))).toBeLessThan(0.001);
  });

  it('beta(0.5, 0.5) is U-shaped (arcsine law), exercising the shape < 1 path', () => {
    const values = numbers({ distribution: 'beta', a: 0.5, b: 0.5 });
    expect(Math.abs(mean(values) - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance(values) - 0.125)).toBeLessThan(0.004);
    const arcsineCdf = (2 / Math.PI) * Math.asin(Math.sqrt(0.1));
    expect(Math.abs(fraction(values, (x) => x < 0.1) - arcsineCdf)).toBeLessThan(0.015);
  });

  it('beta with tiny shapes stays a number in [0, 1] (no 0/0)', () => {
    const values = numbers({ distribution: 'beta', a: 0.005, b: 0.005 });
    expect(values.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(Math.abs(fraction(values, (x) => x > 0.5) - 0.5)).toBeLessThan(0.02);
  });

  it('q_beta quantizes a beta into clean multiples inside [0, 1]', () => {
    const values = numbers({ distribution: 'q_beta', a: 2, b: 2, q: 0.1 });
    expect(values.every((x) => isCleanMultiple(x, 0.1) && x >= 0 && x <= 1)).toBe(true);
    expect(Math.abs(mean(values) - 0.5)).toBeLessThan(0.01);
  });

  it('gamma has mean and variance equal to its shape (above and below 1)', () => {
    for (const shape of [3, 0.3]) {
      const rng = seedrandom.alea(`gamma-${shape}`);
      const values = Array.from({ length: N }, () => sampleGamma(shape, rng));
      expect(values.every((x) => x >= 0)).toBe(true);
      expect(Math.abs(mean(values) - shape)).toBeLessThan(0.05 * shape + 0.01);
      expect(Math.abs(variance(values) - shape)).toBeLessThan(0.1 * shape + 0.01);
    }
  });

  it('is reproducible: the same seed gives the same draws, another seed different ones', () => {
    const dist: Distribution = { distribution: 'beta', a: 2, b: 3 };
    expect(draw(dist, 's1', 50)).toEqual(draw(dist, 's1', 50));
    expect(draw(dist, 's1', 50)).not.toEqual(draw(dist, 's2', 50));
  });
});
