import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataCache } from './data-cache';
import { addData, pinData } from './data-pin';
import { DvcIgnore } from './dvc-ignore';
import { hashPath } from './hash-path';
import { StatCache } from './stat-cache';
import { createGitFixture, type GitFixture } from './testing/git-fixture';

let fx: GitFixture;
afterEach(() => fx?.cleanup());

const md5sum = (file: string) => execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0] as string;

/** The `.dir` md5 built independently of hash-path.ts: DVC's sorted listing, hashed by md5sum. */
function dirMd5(dir: string, rels: string[]): string {
  const listing = `[${[...rels]
    .sort()
    .map((r) => `{"md5": "${md5sum(join(dir, r))}", "relpath": "${r}"}`)
    .join(', ')}]`;
  const file = join(fx.scratch, 'listing.json');
  writeFileSync(file, listing);
  return `${md5sum(file)}.dir`;
}

// https://dvc.org/doc/user-guide/project-structure/dvcignore-files: gitignore patterns, in the root or any
// directory; what they match "will not be saved in cache, they will be non-existent for DVC"; a .dvcignore
// inside a tracked directory is an error; new patterns change an output's status as if files were deleted.
describe('.dvcignore', () => {
  it('leaves what the root .dvcignore matches out of `data add` of a directory (the documented example)', async () => {
    fx = createGitFixture({ 'train.mjs': 'x\n' });
    fx.write('data/data1', '1\n');
    fx.write('data/data2', '2\n');
    fx.write('.dvcignore', 'data/data1\n');
    const cache = new DataCache(join(fx.scratch, 'cache'));
    const [added] = await addData(fx.root, ['data'], cache, { cwd: fx.root });
    const dir = join(fx.root, 'data');
    expect(added).toMatchObject({ md5: dirMd5(dir, ['data2']), nfiles: 1, size: 2 });
    expect(await cache.has(md5sum(join(dir, 'data2')))).toBe(true);
    expect(await cache.has(md5sum(join(dir, 'data1')))).toBe(false); // "will not be saved in cache"
  });

  it('applies gitignore semantics: globs anywhere, directories, anchors, negation, nested .dvcignore files', async () => {
    fx = createGitFixture({ 'train.mjs': 'x\n' });
    const files = {
      'exp/raw/a.csv': 'a\n',
      'exp/raw/b.tmp': 'tmp\n',
      'exp/raw/keep.tmp': 'kept by negation\n',
      'exp/raw/logs/run.log': 'log\n',
      'exp/raw/sub/logs.txt': 'a file, not the logs/ directory\n',
      'exp/raw/sub/c.csv': 'c\n',
      'exp/raw/scratch/x.csv': 'ignored by exp/.dvcignore\n',
      'exp/raw/sub/scratch/y.csv': 'anchored: not ignored\n',
      'exp/raw/.DS_Store': 'never data\n',
    };
    for (const [p, c] of Object.entries(files)) fx.write(p, c);
    fx.write('.dvcignore', '# comments and blank lines are skipped\n\n*.tmp\n!keep.tmp\nlogs/\n');
    // Relative to its own directory; "/raw/scratch" is anchored there.
    fx.write('exp/.dvcignore', '/raw/scratch\n');
    const dir = join(fx.root, 'exp/raw');
    const h = await hashPath(dir, { ignore: new DvcIgnore(fx.root) });
    const kept = ['a.csv', 'keep.tmp', 'sub/c.csv', 'sub/logs.txt', 'sub/scratch/y.csv'];
    expect(h.entries?.map((e) => e.relpath)).toEqual(kept);
    expect(h.md5).toBe(dirMd5(dir, kept));
    // Without the rules (not a DVC project read): everything but .DS_Store counts.
    expect((await hashPath(dir)).nfiles).toBe(8);
  });

  it('refuses a .dvcignore inside the data directory and an ignored path, as DVC does', async () => {
    fx = createGitFixture({ 'train.mjs': 'x\n' });
    fx.write('data/a.csv', 'a\n');
    fx.write('data/.dvcignore', 'a.csv\n');
    const cache = new DataCache(join(fx.scratch, 'cache'));
    await expect(addData(fx.root, ['data'], cache, { cwd: fx.root })).rejects.toMatchObject({
      code: 'BAD_DVC_FILE',
      message: expect.stringContaining('data/.dvcignore is inside the data directory'),
      hint: expect.stringContaining('move its patterns to a .dvcignore above'),
    });

    fx.write('other/b.csv', 'b\n');
    fx.write('.dvcignore', 'other/\n');
    await expect(addData(fx.root, ['other/b.csv'], cache, { cwd: fx.root })).rejects.toMatchObject({
      code: 'DATA_NOT_FOUND',
      message: expect.stringContaining('is ignored by a .dvcignore file'),
    });
  });

  it('a new pattern changes the status of an existing output, as if the files were deleted', async () => {
    fx = createGitFixture({ 'train.mjs': 'x\n' });
    fx.write('data/a.csv', 'a\n');
    fx.write('data/b.log', 'b\n');
    const cache = new DataCache(join(fx.scratch, 'cache'));
    const statCache = await StatCache.open(join(fx.scratch, 'state.json'));
    const [added] = await addData(fx.root, ['data'], cache, { cwd: fx.root, statCache });
    expect(added?.nfiles).toBe(2);
    // Unchanged: pinning by the .dvc file checks the workspace and agrees.
    await expect(pinData(fx.root, ['data'], { cwd: fx.root, statCache })).resolves.toHaveLength(1);
    fx.write('.dvcignore', '*.log\n');
    await expect(pinData(fx.root, ['data'], { cwd: fx.root, statCache })).rejects.toMatchObject({
      code: 'HASH_MISMATCH',
    });
    const now = await hashPath(join(fx.root, 'data'), { statCache, ignore: new DvcIgnore(fx.root) });
    expect(now.md5).toBe(dirMd5(join(fx.root, 'data'), ['a.csv']));
  });
});
