import { requireValidConfig, validateSweepConfig } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { jobTemplate } from './sweep-submission';

describe('jobTemplate', () => {
  it('carries what every job of the sweep shares, the container image included', () => {
    const config = requireValidConfig(
      validateSweepConfig({
        method: 'grid',
        program: 'train.py',
        image: 'ghcr.io/acme/train:1.2',
        timeout: 30,
        resources: { gpus: 1, memory: '2Gi' },
        parameters: { lr: { values: [0.1, 0.01] } },
      }),
    );
    expect(jobTemplate(config, { cwd: '/repo', pool: 'gpu' })).toEqual({
      pool: 'gpu',
      cwd: '/repo',
      resources: { gpus: 1, memory: '2Gi' },
      timeoutMs: 30_000,
      metrics: { stdout: true },
      image: 'ghcr.io/acme/train:1.2',
    });
    const plain = requireValidConfig(
      validateSweepConfig({ method: 'grid', program: 'train.py', parameters: { lr: { value: 1 } } }),
    );
    expect(jobTemplate(plain, { cwd: '.', pool: 'default' })).not.toHaveProperty('image');
  });
});
