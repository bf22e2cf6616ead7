import { describe, expect, it } from 'vitest';
import { MethodUnavailableError, SearchError, UnknownMethodError } from './errors';
import { gridStrategy } from './grid-strategy';
import { randomStrategy } from './random-strategy';
import { createStrategy, strategies } from './strategy-registry';

describe('createStrategy', () => {
  it('maps grid and random to their strategies', () => {
    expect(createStrategy('grid')).toBe(gridStrategy);
    expect(createStrategy('random')).toBe(randomStrategy);
    expect(Object.keys(strategies).sort()).toEqual(['grid', 'random']);
  });

  it.each(['bayes', 'tpe'])('says %s is not available in this build and what to use instead', (method) => {
    expect(() => createStrategy(method)).toThrow(MethodUnavailableError);
    expect(() => createStrategy(method)).toThrow(`method ${method} is not available in this build; use random or grid`);
    try {
      createStrategy(method);
    } catch (error) {
      expect(error).toBeInstanceOf(SearchError);
      expect(error).toMatchObject({ name: 'MethodUnavailableError', code: 'METHOD_UNAVAILABLE', method });
    }
  });

  it('rejects unknown methods, including inherited object keys', () => {
    for (const method of ['grdi', 'toString', '__proto__']) {
      expect(() => createStrategy(method)).toThrow(UnknownMethodError);
    }
    expect(() => createStrategy('grdi')).toThrow('unknown search method "grdi"; use random or grid');
  });
});
