// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are W&B command macros, not templates
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSweepConfig } from './parse-sweep-config';
import { renderCommand } from './render-command';
import { toSearchSpace } from './search-space';
import type { SweepConfig } from './sweep-config';
import type { ValidationResult } from './validate-sweep-config';

// Genuine sweep configs from W&B's docs and repositories (wandb/sweeps, wandb/examples), unchanged
// apart from a leading comment naming the source.
const FIXTURES = join(import.meta.dirname, '..', 'test-fixtures', 'wandb');
const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.yaml'));

async function load(file: string): Promise<SweepConfig> {
  const result: ValidationResult = await loadSweepConfig(join(FIXTURES, file));
  if (!result.ok) throw new Error(`${file}:\n${result.issues.map((i) => i.message).join('\n')}`);
  return result.config;
}

function dists(config: SweepConfig): Record<string, string> {
  return Object.fromEntries(toSearchSpace(config).params.map((p) => [p.name, p.dist.distribution]));
}

describe('W&B example sweep configs validate unchanged', () => {
  it('has the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)('%s', async (file) => {
    const config = await load(file);
    expect(toSearchSpace(config).params.length).toBeGreaterThan(0);
  });

  it('docs basic structure: float min/max infer uniform, values infer categorical', async () => {
    expect(dists(await load('docs-basic-structure.yaml'))).toEqual({
      learning_rate: 'uniform',
      batch_size: 'categorical',
      epochs: 'categorical',
      optimizer: 'categorical',
    });
  });

  it('docs configuration example: q_log_uniform_values with q', async () => {
    const space = toSearchSpace(await load('docs-configuration-example.yaml'));
    expect(space.params[0]).toEqual({
      name: 'batch_size',
      path: ['batch_size'],
      dist: { distribution: 'q_log_uniform_values', min: 32, max: 256, q: 8 },
    });
  });

  it('fastai example: log_uniform with exponent bounds -11..-2', async () => {
    const config = await load('examples-fastai-log-uniform.yaml');
    expect(config.parameters.learning_rate).toEqual({ distribution: 'log_uniform', min: -11, max: -2 });
    expect(config.parameters.one_cycle).toEqual({ distribution: 'categorical', values: [true, false] });
  });

  it('hyperband examples: max_iter + s + eta', async () => {
    expect((await load('examples-keras-bayes-hyperband.yaml')).early_terminate).toEqual({
      type: 'hyperband',
      max_iter: 27,
      s: 2,
      eta: 3,
      strict: false,
    });
    const local = await loadSweepConfig(join(FIXTURES, 'sweeps-local-hyperband.yaml'));
    expect(local.warnings.map((w) => w.path)).toEqual(['controller']);
  });

  it('nested parameters example', async () => {
    expect(dists(await load('sweeps-nested-cli.yaml'))).toEqual({
      batch_size: 'categorical',
      'optimizer.lr': 'categorical',
      'optimizer.nadam.beta': 'categorical',
    });
  });

  it('hydra example: `!!float 1e-5`, flat dotted names beside a plain one, ${args_no_hyphens}', async () => {
    const config = await load('examples-hydra.yaml');
    expect(dists(config)).toEqual({
      'optimizer.config.learning_rate': 'uniform',
      experiment: 'categorical',
      optimizer: 'categorical',
    });
    const argv = renderCommand(config, {
      params: { 'optimizer.config.learning_rate': 0.01, experiment: 'expt001', optimizer: 'adam' },
    });
    expect(argv).toEqual([
      'python3',
      'main.py',
      'optimizer.config.learning_rate=0.01',
      'experiment=expt001',
      'optimizer=adam',
    ]);
  });

  it('docs command macros example: validates, warning about the macros its parameters do not define', async () => {
    const result = await loadSweepConfig(join(FIXTURES, 'docs-command-macros.yaml'));
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => [w.path, w.line])).toEqual([
      ['command[3]', 15],
      ['command[4]', 16],
    ]);
    if (!result.ok) return;
    expect(renderCommand(result.config, { params: { learning_rate: 0.05 } })).toEqual([
      'python3',
      'run.py',
      '--batch_size=${batch_size}',
      '--optimizer=${optimizer}',
      '--test=True',
    ]);
  });

  it('docs custom CLI example renders as W&B would (minus /usr/bin/env)', async () => {
    const config = await load('docs-custom-cli.yaml');
    expect(renderCommand(config, { params: { batch_size: 8, lr: 0.0001 } })).toEqual([
      'python',
      'train.py',
      '-b',
      'your-training-config',
      '--batch_size=8',
      '--lr=0.0001',
    ]);
  });
});
