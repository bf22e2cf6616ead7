import { describe, expect, it } from 'vitest';
import { bayesStrategy } from './bayes/bayes-strategy';
import { SearchError, UnknownMethodError } from './errors';
import { gridStrategy } from './grid-strategy';
import { randomStrategy } from './random-strategy';
import { createStrategy, strategies } from './strategy-registry';
import { tpeStrategy } from './tpe/tpe-strategy';

describe('createStrategy', () => {
  it('maps every method to its strategy', () => {
    expect(createStrategy('grid')).toBe(gridStrategy);
    expect(createStrategy('random')).toBe(randomStrategy);
    expect(createStrategy('bayes')).toBe(bayesStrategy);
    expect(createStrategy('tpe')).toBe(tpeStrategy);
    expect(Object.keys(strategies).sort()).toEqual(['bayes', 'grid', 'random', 'tpe']);
  });

  it('rejects unknown methods, including inherited object keys', () => {
    for (const method of ['grdi', 'toString', '__proto__']) {
      expect(() => createStrategy(method)).toThrow(UnknownMethodError);
    }
    expect(() => createStrategy('grdi')).toThrow('unknown search method "grdi"; use random, grid, bayes or tpe');
    try {
      createStrategy('grdi');
    } catch (error) {
      expect(error).toBeInstanceOf(SearchError);
      expect(error).toMatchObject({ name: 'UnknownMethodError', code: 'UNKNOWN_METHOD', method: 'grdi' });
    }
  });
});
