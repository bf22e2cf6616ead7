import { describe, expect, it } from 'vitest';
import type { SearchSpace } from './domain';
import { isHyperfleetError } from './errors';
import { flattenParams, unflattenParams } from './params';

const space: SearchSpace = {
  params: [
    { name: 'optimizer', path: ['optimizer'], dist: { distribution: 'categorical', values: ['sgd', 'adam'] } },
    {
      name: 'optimizer.config.learning_rate',
      path: ['optimizer.config.learning_rate'],
      dist: { distribution: 'uniform', min: 0, max: 1 },
    },
    { name: 'net.width', path: ['net', 'width'], dist: { distribution: 'int_uniform', min: 1, max: 9 } },
    { name: 'extra', path: ['extra'], dist: { distribution: 'constant', value: { a: 1 } } },
  ],
};

describe('flattenParams / unflattenParams', () => {
  it('round-trips nested params without a space', () => {
    const nested = { batch_size: 32, optimizer: { lr: 0.01, nadam: { beta: 0.9 } }, tags: ['a', 'b'], flag: true };
    const flat = flattenParams(nested);
    expect(flat).toEqual({
      batch_size: 32,
      'optimizer.lr': 0.01,
      'optimizer.nadam.beta': 0.9,
      tags: ['a', 'b'],
      flag: true,
    });
    expect(Object.keys(flat)).toEqual(['batch_size', 'optimizer.lr', 'optimizer.nadam.beta', 'tags', 'flag']);
    expect(unflattenParams(flat)).toEqual(nested);
  });

  it('with a space, follows the declared paths (flat dotted names, object-valued constants)', () => {
    const params = {
      optimizer: 'adam',
      'optimizer.config.learning_rate': 0.01,
      net: { width: 4 },
      extra: { a: 1 },
    };
    const flat = flattenParams(params, space);
    expect(flat).toEqual({
      optimizer: 'adam',
      'optimizer.config.learning_rate': 0.01,
      'net.width': 4,
      extra: { a: 1 },
    });
    expect(unflattenParams(flat, space)).toEqual(params);
  });

  it('throws PARAMS_CONFLICT when a name is both a value and a prefix', () => {
    let thrown: unknown;
    try {
      unflattenParams({ optimizer: 'adam', 'optimizer.config.learning_rate': 0.01 });
    } catch (error) {
      thrown = error;
    }
    expect(isHyperfleetError(thrown) && thrown.code).toBe('PARAMS_CONFLICT');
  });

  it('treats prototype names as data', () => {
    const nested = unflattenParams({ '__proto__.polluted': 1, constructor: 2 });
    expect(Object.keys(nested)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
