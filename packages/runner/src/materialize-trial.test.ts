import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { addData, DataCache, LocalRemote, pinCode, pinData, pushData } from '@hyperfleet/lineage';
import { createGitFixture, type GitFixture } from '@hyperfleet/lineage/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { materializeTrial } from './materialize-trial';

let fx: GitFixture;
afterEach(() => fx?.cleanup());

describe('materializeTrial', () => {
  it('checks out code at the commit with the diff, and data by hash from a remote, read-only', async () => {
    fx = createGitFixture({ 'train.mjs': 'v1\n' });
    fx.addRemote();
    fx.write('data/x.csv', 'x,y\n1,2\n');
    const laptopCache = new DataCache(join(fx.root, '.dvc/cache'));
    await addData(fx.root, ['data/x.csv'], laptopCache, { cwd: fx.root });
    fx.commit('track data');
    fx.git('push', '-q', 'origin', 'HEAD:main');
    fx.write('train.mjs', 'v2\n');
    const { pin, diffBytes } = await pinCode(fx.root);
    const data = await pinData(fx.root, ['data/x.csv'], { cwd: fx.root });
    const remote = new LocalRemote(join(fx.scratch, 'data-remote'));
    await pushData(
      laptopCache,
      remote,
      data.map((d) => d.md5),
    );

    const blobs = new Map([[pin.diff?.hash ?? '', diffBytes as Buffer]]);
    const trial = await materializeTrial({
      pins: { code: pin, data },
      workdir: join(fx.scratch, 'wt'),
      mirrorsDir: join(fx.scratch, 'mirrors'),
      getBlob: async (h) => blobs.get(h) ?? null,
      dataCache: new DataCache(join(fx.scratch, 'worker-cache')),
      dataRemote: remote,
    });
    expect(readFileSync(join(trial.cwd, 'train.mjs'), 'utf8')).toBe('v2\n');
    expect(readFileSync(join(trial.cwd, 'data/x.csv'), 'utf8')).toBe('x,y\n1,2\n');
    expect(statSync(join(trial.cwd, 'data/x.csv')).mode & 0o222).toBe(0);
    await trial.cleanup();
  });
});
