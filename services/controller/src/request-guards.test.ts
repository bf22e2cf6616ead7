import { describe, expect, it } from 'vitest';
import { jsonProblem, MAX_JSON_DEPTH } from './request-guards';

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('jsonProblem', () => {
  it('accepts plain bodies up to the depth limit, refuses deeper ones and NULs in strings or keys', () => {
    expect(jsonProblem(undefined)).toBeNull();
    expect(jsonProblem({ config: { method: 'grid', parameters: { x: { values: [1, 'a', null] } } } })).toBeNull();
    expect(jsonProblem(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(jsonProblem(nested(MAX_JSON_DEPTH + 1))).toMatch(/deeper than 64/);
    expect(jsonProblem(nested(100_000))).toMatch(/deeper/);
    expect(jsonProblem({ name: 'a\u0000b' })).toMatch(/NUL character in a string/);
    expect(jsonProblem({ 'k\u0000': 1 })).toMatch(/NUL character in a key/);
  });
});
