import type { ParamValue, SearchSpace } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { canonicalKey, canonicalNumber, paramsHash } from './canonical-key';
import { pointKey, projectParams } from './point-key';

describe('canonicalKey', () => {
  it('spells 3e6, 3000000 and 3000000.0 the same (also inside nested params)', () => {
    const parsed = JSON.parse('{"a": 3000000.0, "b": {"c": 3e6}}');
    expect(canonicalKey(parsed)).toBe(canonicalKey({ a: 3000000, b: { c: 3_000_000 } }));
    expect(canonicalNumber(3e6)).toBe('3000000');
    expect(paramsHash({ x: 3e6 })).toBe(paramsHash({ x: 3000000 }));
  });

  it('ignores object key order at every depth', () => {
    const a = { lr: 0.1, opt: { name: 'adam', betas: [0.9, 0.999], extra: { y: 1, x: 2 } } };
    const b = { opt: { extra: { x: 2, y: 1 }, betas: [0.9, 0.999], name: 'adam' }, lr: 0.1 };
    expect(canonicalKey(a)).toBe(canonicalKey(b));
    expect(canonicalKey(a)).toBe('{"lr":0.1,"opt":{"betas":[0.9,0.999],"extra":{"x":2,"y":1},"name":"adam"}}');
  });

  it('keeps array order significant', () => {
    expect(canonicalKey([1, 2])).not.toBe(canonicalKey([2, 1]));
  });

  it('treats -0 as 0 and absorbs float arithmetic noise', () => {
    expect(canonicalKey({ x: -0 })).toBe(canonicalKey({ x: 0 }));
    expect(canonicalKey(0.1 * 3)).toBe(canonicalKey(0.3));
    expect(canonicalKey(0.1 * 30)).toBe(canonicalKey(3));
    expect(canonicalKey(0.1)).not.toBe(canonicalKey(0.10000001));
  });

  it('keeps large integers exact', () => {
    expect(canonicalKey(1000000000000001)).not.toBe(canonicalKey(1000000000000002));
    expect(canonicalKey(1e21)).toBe(canonicalKey(1_000_000_000_000_000_000_000));
  });

  it('never confuses types', () => {
    const values: ParamValue[] = [1, '1', true, 'true', null, 'null', Number.NaN, 'NaN', Number.POSITIVE_INFINITY];
    const keys = values.map(canonicalKey);
    expect(new Set(keys).size).toBe(values.length);
    expect(canonicalKey([])).not.toBe(canonicalKey({}));
  });

  it('drops undefined entries the way JSON does', () => {
    const withUndefined = { a: 1, b: undefined } as unknown as ParamValue;
    expect(canonicalKey(withUndefined)).toBe(canonicalKey({ a: 1 }));
  });

  it('paramsHash is a sha1 hex digest of the canonical key', () => {
    expect(paramsHash({ b: 2, a: 1 })).toMatch(/^[0-9a-f]{40}$/);
    expect(paramsHash({ b: 2, a: 1 })).toBe(paramsHash({ a: 1, b: 2 }));
    expect(paramsHash({ a: 1 })).not.toBe(paramsHash({ a: 2 }));
  });
});

describe('pointKey', () => {
  const space: SearchSpace = {
    params: [
      { name: 'opt.lr', path: ['opt', 'lr'], dist: { distribution: 'categorical', values: [0.1, 0.01] } },
      { name: 'layers', path: ['layers'], dist: { distribution: 'int_uniform', min: 1, max: 4 } },
    ],
  };

  it('only looks at the parameters of the space', () => {
    expect(projectParams(space, { opt: { lr: 0.1, momentum: 0.9 }, layers: 2, note: 'x' })).toEqual({
      opt: { lr: 0.1 },
      layers: 2,
    });
    expect(pointKey(space, { layers: 2, opt: { lr: 0.1 }, extra: true })).toBe(
      pointKey(space, { opt: { lr: 0.1 }, layers: 2.0 }),
    );
    expect(pointKey(space, { opt: { lr: 0.1 }, layers: 2 })).not.toBe(pointKey(space, { opt: { lr: 0.1 }, layers: 3 }));
  });
});
