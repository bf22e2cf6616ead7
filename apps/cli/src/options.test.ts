import { describe, expect, it } from 'vitest';
import { byteSize, nonNegativeInt } from './options';

describe('server limit flags', () => {
  it('byteSize reads bytes and binary units, and refuses anything else with the accepted forms', () => {
    expect(byteSize('1048576')).toBe(1048576);
    expect(byteSize('64kb')).toBe(64 * 1024);
    expect(byteSize('16MB')).toBe(16 * 1024 ** 2);
    expect(byteSize('1.5g')).toBe(1.5 * 1024 ** 3);
    for (const bad of ['', 'lots', '-1mb', '10tb', '0']) expect(() => byteSize(bad), bad).toThrow(/size|1 byte/);
  });

  it('nonNegativeInt takes 0 (a limit turned off) and refuses negatives', () => {
    expect(nonNegativeInt('0')).toBe(0);
    expect(() => nonNegativeInt('-1')).toThrow(/≥ 0/);
  });
});
