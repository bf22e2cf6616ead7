import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBundle, pinCode } from '@hyperfleet/lineage';
import { createGitFixture, type GitFixture } from '@hyperfleet/lineage/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { conflictingPaths, materializeCode } from './materialize-code';

let fx: GitFixture;
afterEach(() => fx?.cleanup());

describe('materializeCode', () => {
  it('checks out the pinned commit in a worktree from a mirror and applies the dirty diff', async () => {
    fx = createGitFixture({ 'train.mjs': 'v1\n', 'sub/cfg.txt': 'c1\n', 'blob.bin': Buffer.from([1, 2, 3]) });
    fx.addRemote();
    fx.write('train.mjs', 'v2 uncommitted\n');
    fx.write('blob.bin', Buffer.from([9, 0, 9, 0]));
    fx.write('sub/extra.txt', 'untracked\n');
    const { pin, diffBytes } = await pinCode(join(fx.root, 'sub'), { untracked: 'include' });
    // The laptop moves on after pinning: the worktree must still show the pinned state.
    fx.write('train.mjs', 'v3 later\n');

    const workdir = join(fx.scratch, 'trial-1');
    const code = await materializeCode({ pin, mirrorsDir: join(fx.scratch, 'mirrors'), workdir, diff: diffBytes });
    expect(code.cwd).toBe(join(workdir, 'sub'));
    expect(readFileSync(join(workdir, 'train.mjs'), 'utf8')).toBe('v2 uncommitted\n');
    expect([...readFileSync(join(workdir, 'blob.bin'))]).toEqual([9, 0, 9, 0]);
    expect(readFileSync(join(workdir, 'sub/extra.txt'), 'utf8')).toBe('untracked\n');
    expect(fx.git('-C', workdir, 'rev-parse', 'HEAD')).toBe(pin.commit);

    // A second slot reuses the warm mirror; cleanup removes each worktree.
    const second = await materializeCode({
      pin,
      mirrorsDir: join(fx.scratch, 'mirrors'),
      workdir: join(fx.scratch, 'trial-2'),
      diff: diffBytes,
    });
    await code.cleanup();
    await second.cleanup();
    await code.cleanup(); // idempotent
    expect(() => readFileSync(join(workdir, 'train.mjs'))).toThrow();
  });

  it('runs concurrent slots against one cold mirror safely', async () => {
    fx = createGitFixture({ 'a.txt': 'a\n' });
    fx.addRemote();
    const { pin } = await pinCode(fx.root);
    const mirrorsDir = join(fx.scratch, 'mirrors');
    const all = await Promise.all(
      [1, 2, 3].map((i) => materializeCode({ pin, mirrorsDir, workdir: join(fx.scratch, `t${i}`) })),
    );
    for (const c of all) expect(readFileSync(join(c.root, 'a.txt'), 'utf8')).toBe('a\n');
    await Promise.all(all.map((c) => c.cleanup()));
  });

  it('fails loudly with the conflicting paths when the diff no longer applies', async () => {
    fx = createGitFixture({ 'a.txt': 'line1\nline2\n', 'b.txt': 'b\n' });
    fx.addRemote();
    fx.write('a.txt', 'line1\nCHANGED\n');
    const { pin, diffBytes } = await pinCode(fx.root);
    // The same diff pinned against a different commit (say, a rewritten branch) cannot apply.
    fx.git('checkout', '-q', '--', 'a.txt');
    fx.write('a.txt', 'rewritten\n');
    const other = fx.commit('rewrite');
    fx.git('push', '-q', 'origin', 'HEAD:main');
    const err = await materializeCode({
      pin: { ...pin, commit: other },
      mirrorsDir: join(fx.scratch, 'mirrors'),
      workdir: join(fx.scratch, 'wt'),
      diff: diffBytes,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DIFF_CONFLICT', paths: ['a.txt'] });
    expect((err as Error).message).toMatch(/no longer applies.*a\.txt/);
  });

  it('refuses a diff whose bytes do not match the pin', async () => {
    fx = createGitFixture({ 'a.txt': 'a\n' });
    fx.write('a.txt', 'b\n');
    const { pin } = await pinCode(fx.root);
    await expect(
      materializeCode({
        pin,
        mirrorsDir: join(fx.scratch, 'm'),
        workdir: join(fx.scratch, 'w'),
        diff: Buffer.from('junk'),
      }),
    ).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
  });

  it('says the commit is unreachable, and succeeds with the bundle', async () => {
    fx = createGitFixture({ 'a.txt': 'a\n' });
    fx.addRemote();
    fx.write('a.txt', 'laptop only\n');
    const commit = fx.commit('not pushed');
    const { pin } = await pinCode(fx.root);
    expect(pin.commit).toBe(commit);
    const mirrorsDir = join(fx.scratch, 'mirrors');
    await expect(materializeCode({ pin, mirrorsDir, workdir: join(fx.scratch, 'w1') })).rejects.toMatchObject({
      code: 'UNPUSHED_COMMIT',
    });
    const bundle = join(fx.scratch, 'code.bundle');
    await createBundle(fx.root, commit, bundle);
    const code = await materializeCode({ pin, mirrorsDir, workdir: join(fx.scratch, 'w2'), bundleFile: bundle });
    expect(readFileSync(join(code.root, 'a.txt'), 'utf8')).toBe('laptop only\n');
    await code.cleanup();

    // A remote that does not exist at all: the bundle alone seeds the mirror.
    const gone = { ...pin, remote: `file://${join(fx.scratch, 'nowhere.git')}` };
    const fresh = await materializeCode({ pin: gone, mirrorsDir, workdir: join(fx.scratch, 'w3'), bundleFile: bundle });
    expect(readFileSync(join(fresh.root, 'a.txt'), 'utf8')).toBe('laptop only\n');
    await fresh.cleanup();
  });

  it('parses git apply errors into paths', () => {
    expect(
      conflictingPaths(
        'error: patch failed: src/a.ts:3\nerror: src/a.ts: patch does not apply\nerror: b.txt: does not exist in index',
      ),
    ).toEqual(['src/a.ts', 'b.txt']);
  });
});
