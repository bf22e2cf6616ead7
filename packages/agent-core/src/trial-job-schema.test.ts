import { describe, expect, it } from 'vitest';
import { parseTrialJob } from './trial-job-schema';

const valid = {
  sweepId: 'sw1',
  trialId: 'tr1',
  attempt: 2,
  pool: 'gpu',
  argv: ['python3', 'train.py', '--lr=0.1'],
  params: { lr: 0.1, opt: { name: 'adam', betas: [0.9, 0.999] }, flag: true, none: null },
  seed: 7,
  cwd: '/work',
  env: { A: 'b', HF: { secret: 'HF_TOKEN' } },
  resources: { gpus: 1, memory: '8Gi' },
  timeoutMs: 1000,
  metrics: { stdout: true, regex: '(?<name>\\w+)=(?<value>\\S+)', sources: ['sdk', 'stdout'] },
  killGraceMs: 0,
};

describe('parseTrialJob', () => {
  it('accepts a well-formed job as it is', () => {
    expect(parseTrialJob(valid)).toEqual({ ok: true, job: valid });
  });

  it('lists every problem with its path, and keeps the ids when they are sound', () => {
    const parsed = parseTrialJob({ ...valid, argv: [], seed: 1.5, env: { A: 1 } });
    expect(parsed).toEqual({
      ok: false,
      message:
        'invalid trial job: argv: argv is empty; seed: Invalid input: expected int, received number; env.A: a string or {secret: NAME}',
      identity: { sweepId: 'sw1', trialId: 'tr1', attempt: 2 },
    });
  });

  it('refuses env names that are not variable names, and secrets that are not names', () => {
    const bad = parseTrialJob({ ...valid, env: { 'A=B': 'x', C: { secret: 'x;rm' } } });
    expect(!bad.ok && bad.message).toBe(
      'invalid trial job: env.A=B: Invalid key in record; env.C.secret: an environment variable name',
    );
  });

  it('refuses ids that could escape the work directory, and has no identity without them', () => {
    const parsed = parseTrialJob({ ...valid, trialId: '../../etc' });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain('trialId: letters, digits');
    expect(!parsed.ok && parsed.identity).toBeNull();
    const garbage = parseTrialJob('not a job');
    expect(!garbage.ok && garbage.message).toBe(
      'invalid trial job: (payload): Invalid input: expected object, received string',
    );
  });
});
