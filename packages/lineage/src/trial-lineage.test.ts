import { describe, expect, it } from 'vitest';
import { fingerprintEnvironment } from './env-fingerprint';
import { lineageDifferences, trialIdentity } from './trial-lineage';

describe('trialIdentity', () => {
  const base = {
    code: { commit: 'a'.repeat(40), diff: { hash: 'sha256:1', size: 1, files: [] }, subdir: '' },
    data: [
      { path: 'b.csv', md5: '2'.repeat(32) },
      { path: 'a.csv', md5: '1'.repeat(32) },
    ],
    params: { lr: 0.1, opt: { name: 'adam' } },
    command: ['node', 'train.mjs', '--lr=0.1', '/runs/s1/s1-0/params.json'],
  };
  it('is stable under key order, data order and the trial id, and changes with any input', () => {
    const id = trialIdentity({ ...base, trialId: 's1-0', sweepId: 's1' });
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(
      trialIdentity({
        ...base,
        data: [...base.data].reverse(),
        params: { opt: { name: 'adam' }, lr: 0.1 },
        command: ['node', 'train.mjs', '--lr=0.1', '/runs/s2/s2-7/params.json'],
        trialId: 's2-7',
        sweepId: 's2',
      }),
    ).toBe(id);
    expect(trialIdentity({ ...base, params: { lr: 0.2, opt: { name: 'adam' } } })).not.toBe(trialIdentity(base));
    expect(trialIdentity({ ...base, code: { ...base.code, diff: null } })).not.toBe(trialIdentity(base));
    expect(trialIdentity({ ...base, data: [{ path: 'a.csv', md5: '3'.repeat(32) }] })).not.toBe(trialIdentity(base));
  });

  it('lineageDifferences: key order (as Postgres jsonb returns it) and the ids are no difference; seed is', () => {
    const recorded = { ...base, seed: 7, trialId: 's1-0', sweepId: 's1' };
    const reproduced = {
      ...base,
      seed: 7,
      code: { subdir: '', diff: { files: [], size: 1, hash: 'sha256:1' }, commit: 'a'.repeat(40) },
      data: [...base.data].reverse(),
      params: { opt: { name: 'adam' }, lr: 0.1 },
      command: ['node', 'train.mjs', '--lr=0.1', '/runs/s2/s2-0/params.json'],
      trialId: 's2-0',
      sweepId: 's2',
    };
    expect(lineageDifferences(recorded, reproduced)).toEqual([]);
    expect(lineageDifferences(recorded, { ...reproduced, seed: 8 })).toEqual(['seed']);
    expect(lineageDifferences(recorded, { ...reproduced, command: ['node', 'train.mjs', '--lr=0.2'] })).toEqual([
      'command',
    ]);
    expect(lineageDifferences(recorded, { ...reproduced, params: { lr: 0.2, opt: { name: 'adam' } } })).toEqual([
      'params',
    ]);
  });
});

describe('fingerprintEnvironment', () => {
  it('records runtimes and hashes lockfiles', async () => {
    const root = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
    const env = await fingerprintEnvironment({ dirs: [root], root });
    expect(env.node).toBe(process.version);
    expect(env.lockfiles['package-lock.json']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Array.isArray(env.gpus)).toBe(true);
  });
});
