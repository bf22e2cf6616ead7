import { describe, expect, it } from 'vitest';
import { toSearchSpace } from './search-space';
import { validateSweepConfig } from './validate-sweep-config';

describe('toSearchSpace', () => {
  it('flattens nested parameters to dotted names and paths, in config order, with explicit distributions', () => {
    const result = validateSweepConfig({
      method: 'random',
      program: 't.py',
      parameters: {
        batch_size: { values: [32, 64] },
        optimizer: {
          parameters: {
            lr: { min: 0.0001, max: 0.1 },
            nadam: { parameters: { beta: { value: 0.9 } } },
          },
        },
        'model.depth': { min: 2, max: 8 },
        epochs: { value: 5 },
      },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const space = toSearchSpace(result.config);
    expect(space.params).toEqual([
      { name: 'batch_size', path: ['batch_size'], dist: { distribution: 'categorical', values: [32, 64] } },
      { name: 'optimizer.lr', path: ['optimizer', 'lr'], dist: { distribution: 'uniform', min: 0.0001, max: 0.1 } },
      {
        name: 'optimizer.nadam.beta',
        path: ['optimizer', 'nadam', 'beta'],
        dist: { distribution: 'constant', value: 0.9 },
      },
      // A flat W&B name with dots (Hydra style) stays one path segment.
      { name: 'model.depth', path: ['model.depth'], dist: { distribution: 'int_uniform', min: 2, max: 8 } },
      { name: 'epochs', path: ['epochs'], dist: { distribution: 'constant', value: 5 } },
    ]);
  });

  it('returns copies: mutating the space does not change the config', () => {
    const result = validateSweepConfig({ method: 'grid', program: 't.py', parameters: { a: { values: [1, 2] } } });
    if (!result.ok) throw new Error('invalid');
    const [param] = toSearchSpace(result.config).params;
    if (param?.dist.distribution === 'categorical') param.dist.values.push(3);
    expect(result.config.parameters.a).toEqual({ distribution: 'categorical', values: [1, 2] });
  });
});
