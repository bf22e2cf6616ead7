import type { Params } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { getPath, setPath } from './param-path';

describe('getPath / setPath', () => {
  it('sets nested values, creating objects on the way, and reads them back', () => {
    const params: Params = {};
    setPath(params, ['optimizer', 'lr'], 0.1);
    setPath(params, ['optimizer', 'name'], 'adam');
    setPath(params, ['epochs'], 3);
    expect(params).toEqual({ optimizer: { lr: 0.1, name: 'adam' }, epochs: 3 });
    expect(getPath(params, ['optimizer', 'lr'])).toBe(0.1);
    expect(getPath(params, ['optimizer'])).toEqual({ lr: 0.1, name: 'adam' });
  });

  it('tells a missing path (undefined) from a null value', () => {
    const params: Params = { a: null, b: [1, 2], c: { d: 1 } };
    expect(getPath(params, ['a'])).toBeNull();
    expect(getPath(params, ['missing'])).toBeUndefined();
    expect(getPath(params, ['a', 'x'])).toBeUndefined();
    expect(getPath(params, ['b', '0'])).toBeUndefined();
    expect(getPath(params, ['c', 'toString'])).toBeUndefined();
  });

  it('stores "__proto__" as a plain key instead of changing the prototype', () => {
    const params: Params = {};
    setPath(params, ['__proto__', 'polluted'], true);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(getPath(params, ['__proto__', 'polluted'])).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects an empty path', () => {
    expect(() => setPath({}, [], 1)).toThrow(TypeError);
  });
});
