import { describe, expect, it } from 'vitest';
import { decodeNonFinite, encodeNonFinite, NON_FINITE_NAMES, parseNonFinite } from './non-finite';

describe('non-finite codec', () => {
  it('writes NaN and ±Infinity as their names and reads them back', () => {
    const values = [0, -1.5, 1e308, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const encoded = values.map(encodeNonFinite);
    expect(encoded).toEqual([0, -1.5, 1e308, 'NaN', 'Infinity', '-Infinity']);
    expect(encoded.slice(3)).toEqual([...NON_FINITE_NAMES]);
    expect(JSON.parse(JSON.stringify(encoded)).map(decodeNonFinite)).toEqual(values);
  });

  it("also reads Python's and C's spellings, and nothing else", () => {
    expect(['nan', '+inf', '-inf', 'INFINITY', '-Infinity'].map(parseNonFinite)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(['', 'abc', 'nano', '1', ' NaN'].map(parseNonFinite)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect([null, undefined, {}, true, 'x'].map(decodeNonFinite)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
