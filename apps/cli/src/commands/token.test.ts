import { describe, expect, it } from 'vitest';
import { parseLifetime } from './token';

describe('token create --expires', () => {
  it('reads seconds, minutes, hours, days and weeks', () => {
    expect(parseLifetime('90')).toBe(90);
    expect(parseLifetime('90m')).toBe(5400);
    expect(parseLifetime('12h')).toBe(43_200);
    expect(parseLifetime('30d')).toBe(2_592_000);
    expect(parseLifetime('2w')).toBe(1_209_600);
  });

  it('refuses anything else, naming the value and the fix', () => {
    for (const bad of ['', '0', '-1d', '3y', '1.5d', 'soon']) {
      expect(() => parseLifetime(bad)).toThrow(/is not a lifetime/);
    }
  });
});
