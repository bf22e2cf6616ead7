import type { Distribution, SearchSpace } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { createUnitSpace } from './unit-space';

function space(params: Record<string, Distribution>): SearchSpace {
  return { params: Object.entries(params).map(([name, dist]) => ({ name, path: name.split('.'), dist })) };
}

describe('createUnitSpace', () => {
  it('warps log-scale parameters in log space and rounds integers and q_ values on decode', () => {
    const unit = createUnitSpace(
      space({
        lr: { distribution: 'log_uniform_values', min: 1e-4, max: 1 },
        layers: { distribution: 'int_uniform', min: 1, max: 4 },
        drop: { distribution: 'q_uniform', min: 0, max: 0.5, q: 0.1 },
        fixed: { distribution: 'constant', value: 'adam' },
      }),
    );
    expect(unit.coords.map((c) => c.param.name)).toEqual(['lr', 'layers', 'drop']);
    const u = unit.encode({ lr: 0.01, layers: 4, drop: 0.3, fixed: 'adam' })!;
    expect(u[0]).toBeCloseTo(0.5, 12); // 1e-2 is halfway between 1e-4 and 1 in log space
    const mid = unit.decode(Float64Array.of(0.5, 0.01, 0.61));
    expect(mid.lr).toBeCloseTo(0.01, 12);
    expect({ ...mid, lr: 0 }).toEqual({ lr: 0, layers: 1, drop: 0.3, fixed: 'adam' });
    expect({ ...unit.decode(u), lr: 0 }).toEqual({ lr: 0, layers: 4, drop: 0.3, fixed: 'adam' });
  });

  it('gives each integer an equal share of the unit interval', () => {
    const unit = createUnitSpace(space({ k: { distribution: 'int_uniform', min: 0, max: 3 } }));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[unit.decode(Float64Array.of((i + 0.5) / 400)).k as number]! += 1;
    expect(counts).toEqual([100, 100, 100, 100]);
  });

  it('one-hot encodes categoricals as one length-scale group, dropping zero-probability values', () => {
    const unit = createUnitSpace(
      space({
        x: { distribution: 'uniform', min: 0, max: 1 },
        opt: {
          distribution: 'categorical',
          values: ['adam', 'sgd', 'rmsprop', 'never'],
          probabilities: [0.4, 0.3, 0.3, 0],
        },
      }),
    );
    expect(unit.featureCount).toBe(4);
    expect([...unit.groups]).toEqual([0, 1, 1, 1]);
    const u = unit.encode({ x: 0.25, opt: 'rmsprop' })!;
    const f = new Float64Array(4);
    unit.features(u, f, 0);
    expect([...f]).toEqual([0.25, 0, 0, 1]);
    expect(unit.encode({ x: 0.25, opt: 'never' })).toBeUndefined();
    expect(unit.decode(u)).toEqual({ x: 0.25, opt: 'rmsprop' });
  });

  it('round-trips normal and exponent-bound log parameters', () => {
    const unit = createUnitSpace(
      space({
        n: { distribution: 'normal', mu: 2, sigma: 3 },
        e: { distribution: 'log_uniform', min: -5, max: 0 },
        i: { distribution: 'inv_log_uniform_values', min: 0.1, max: 10 },
      }),
    );
    const point = { n: 4.5, e: Math.exp(-2), i: 3 };
    const back = unit.decode(unit.encode(point)!);
    expect(back.n).toBeCloseTo(4.5, 6);
    expect(back.e).toBeCloseTo(Math.exp(-2), 10);
    expect(back.i).toBeCloseTo(3, 10);
  });
});
