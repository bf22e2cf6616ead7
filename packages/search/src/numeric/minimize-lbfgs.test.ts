import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from './minimize-lbfgs';

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const f = (x: Float64Array, g: Float64Array) => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    };
    const result = minimizeLbfgs(f, Float64Array.of(-1.2, 1), {
      lower: Float64Array.of(-5, -5),
      upper: Float64Array.of(5, 5),
      maxIterations: 200,
      tolerance: 1e-14,
    });
    expect(result.x[0]).toBeCloseTo(1, 3);
    expect(result.x[1]).toBeCloseTo(1, 3);
  });

  it('stops at an active bound', () => {
    const f = (x: Float64Array, g: Float64Array) => {
      g[0] = 2 * (x[0]! - 3);
      g[1] = 2 * (x[1]! + 1);
      return (x[0]! - 3) ** 2 + (x[1]! + 1) ** 2;
    };
    const result = minimizeLbfgs(f, Float64Array.of(0, 0), {
      lower: Float64Array.of(-2, -2),
      upper: Float64Array.of(2, 2),
    });
    expect(result.x[0]).toBeCloseTo(2, 6);
    expect(result.x[1]).toBeCloseTo(-1, 4);
  });
});
