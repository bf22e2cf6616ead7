import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertCommitHash, pinCode, requireReachable } from './code-pin';
import { applyBundle, createBundle } from './git-bundle';
import { createGitFixture, type GitFixture } from './testing/git-fixture';

let fx: GitFixture;
afterEach(() => fx?.cleanup());

describe('pinCode', () => {
  it('pins a clean repo: commit, branch, remote without credentials, pushed', async () => {
    fx = createGitFixture({ 'train.mjs': 'x\n', 'sub/a.txt': 'a\n' });
    fx.addRemote();
    fx.git('remote', 'set-url', 'origin', `file://user:s3cret@localhost${join(fx.scratch, 'origin.git')}`);
    const { pin, diffBytes, warnings } = await pinCode(join(fx.root, 'sub'));
    expect(pin.commit).toBe(fx.git('rev-parse', 'HEAD'));
    expect(pin.branch).toBe('main');
    expect(pin.subdir).toBe('sub');
    expect(pin.diff).toBeNull();
    expect(diffBytes).toBeNull();
    expect(pin.pushed).toBe(true);
    expect(pin.remote).not.toContain('s3cret');
    expect(pin.remote).not.toContain('user');
    expect(warnings).toEqual([]);
    expect(() => requireReachable(pin)).not.toThrow();
  });

  it('stores the dirty diff (binary-safe) as a content-addressed blob and leaves the index alone', async () => {
    fx = createGitFixture({ 'train.mjs': 'one\n', 'model.bin': Buffer.from([0, 1, 2, 3, 255]) });
    fx.write('train.mjs', 'two\n');
    fx.write('model.bin', Buffer.from([0, 1, 2, 4, 255, 0]));
    fx.write('notes.txt', 'untracked\n');
    const indexBefore = fx.git('ls-files', '--stage');
    const { pin, diffBytes, warnings } = await pinCode(fx.root, { untracked: 'include' });
    expect(diffBytes).not.toBeNull();
    const sha = createHash('sha256')
      .update(diffBytes as Buffer)
      .digest('hex');
    expect(pin.diff).toEqual({
      hash: `sha256:${sha}`,
      size: diffBytes?.length,
      files: ['model.bin', 'notes.txt', 'train.mjs'],
    });
    expect(diffBytes?.toString('latin1')).toContain('GIT binary patch');
    expect(pin.untracked).toEqual(['notes.txt']);
    expect(warnings).toEqual([]);
    expect(fx.git('ls-files', '--stage')).toBe(indexBefore);
    expect(fx.git('status', '--porcelain')).toContain('?? notes.txt');
  });

  it('warns about untracked files under `warn` and leaves them out of the diff', async () => {
    fx = createGitFixture();
    fx.write('scratch.py', 'x\n');
    const { pin, warnings } = await pinCode(fx.root);
    expect(pin.diff).toBeNull();
    expect(warnings[0]).toMatch(/1 untracked file.*scratch\.py.*--untracked include/);
  });

  it('refuses a dirty repo under `refuse`, naming the files', async () => {
    fx = createGitFixture({ 'a.txt': 'a\n' });
    fx.write('a.txt', 'b\n');
    fx.write('new.txt', 'n\n');
    await expect(pinCode(fx.root, { untracked: 'refuse' })).rejects.toMatchObject({
      code: 'DIRTY_REPO',
      paths: ['a.txt', 'new.txt (untracked)'],
    });
  });

  it('says when the commit is not pushed and offers the bundle', async () => {
    fx = createGitFixture();
    fx.addRemote();
    fx.write('b.txt', 'b\n');
    fx.commit('local only');
    const { pin } = await pinCode(fx.root);
    expect(pin.pushed).toBe(false);
    expect(() => requireReachable(pin)).toThrow(/not on any branch of origin/);
    try {
      requireReachable(pin);
    } catch (err) {
      expect((err as { hint: string }).hint).toMatch(/bundle/);
    }
  });

  it('refuses a directory outside any repo and a repo with no commit', async () => {
    fx = createGitFixture();
    const outside = join(fx.scratch, 'plain');
    mkdirSync(outside);
    await expect(pinCode(outside)).rejects.toMatchObject({ code: 'NOT_A_REPO' });
    execFileSync('git', ['init', '-q', outside]);
    await expect(pinCode(outside)).rejects.toMatchObject({ code: 'NO_COMMIT' });
  });

  it('refuses floating refs', () => {
    expect(() => assertCommitHash('main')).toThrow(/floating ref/);
    expect(assertCommitHash('a'.repeat(40))).toBe('a'.repeat(40));
  });
});

describe('git bundle', () => {
  it('ships an unpushed commit to a repo that cannot reach the remote', async () => {
    fx = createGitFixture();
    fx.addRemote();
    fx.write('local.txt', 'only here\n');
    const commit = fx.commit('unpushed');
    const bundle = join(fx.scratch, 'code.bundle');
    await createBundle(fx.root, commit, bundle);
    expect(fx.git('for-each-ref', 'refs/hyperfleet')).toBe(''); // the temporary ref is gone
    // The worker's mirror came from the remote, which lacks the commit.
    const mirror = join(fx.scratch, 'mirror.git');
    execFileSync('git', ['clone', '-q', '--mirror', `file://${join(fx.scratch, 'origin.git')}`, mirror]);
    await expect(applyBundle(mirror, bundle, commit)).resolves.toBeUndefined();
    expect(execFileSync('git', ['cat-file', '-t', commit], { cwd: mirror, encoding: 'utf8' }).trim()).toBe('commit');
  });
});
