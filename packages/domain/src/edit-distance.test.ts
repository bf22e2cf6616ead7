import { describe, expect, it } from 'vitest';
import { closestMatch, closestMatches, didYouMean, editDistance } from './edit-distance';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions as one edit each', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('method', 'methods')).toBe(1);
    expect(editDistance('metric', 'metrc')).toBe(1);
    expect(editDistance('grid', 'gird')).toBe(1);
    expect(editDistance('paramters', 'parameters')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('closestMatch / didYouMean', () => {
  const keys = ['method', 'metric', 'parameters', 'program', 'run_cap'];
  it('suggests plausible typos only', () => {
    expect(closestMatch('paramters', keys)).toBe('parameters');
    expect(closestMatch('METHOD', keys)).toBe('method');
    expect(closestMatch('banana', keys)).toBeUndefined();
    // Short words allow a single edit: `q` is not a typo of `mu`.
    expect(closestMatch('xy', ['mu', 'q'])).toBeUndefined();
  });
  it('lists ties', () => {
    expect(closestMatches('vals', ['value', 'values', 'min'])).toEqual(['value', 'values']);
    expect(didYouMean('vals', ['value', 'values'])).toBe('did you mean `value` or `values`?');
    expect(didYouMean('zzzzzz', ['value'])).toBeUndefined();
  });
});
