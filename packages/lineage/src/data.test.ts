import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataCache } from './data-cache';
import { addData, pinData } from './data-pin';
import { checkoutData, fetchData, gcCache, pushData } from './data-sync';
import { readDvcFile } from './dvc-file';
import { hashPath } from './hash-path';
import { LocalRemote } from './local-remote';
import { Md5Pool } from './md5-file';
import { S3Remote } from './s3-remote';
import { StatCache } from './stat-cache';
import { createGitFixture, type GitFixture } from './testing/git-fixture';
import { startS3TestServer } from './testing/s3-test-server';

let fx: GitFixture;
afterEach(() => fx?.cleanup());

const md5sum = (file: string) => execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0] as string;

function dataRepo(): GitFixture {
  fx = createGitFixture({ 'train.mjs': 'x\n' });
  fx.write('data/train.csv', 'a,b\n1,2\r\n3,4\n'); // CRLF: DVC 3 hashes raw bytes (no dos2unix)
  fx.write('data/images/cat.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
  fx.write('data/images/sub/dög.txt', 'ünïcode name\n');
  fx.write('data/images/a b.txt', 'space\n');
  return fx;
}

describe('hashing (DVC 3 compatible)', () => {
  it('hashes files like md5sum and directories as DVC documents the .dir listing', async () => {
    dataRepo();
    const file = join(fx.root, 'data/train.csv');
    expect((await hashPath(file)).md5).toBe(md5sum(file));

    const dir = join(fx.root, 'data/images');
    const h = await hashPath(dir);
    // Built independently: Python's json.dumps(sorted([{md5, relpath}]), sort_keys=True), ensure_ascii.
    const rels = ['a b.txt', 'cat.png', 'sub/dög.txt'];
    const listing = `[${rels
      .map((r) => `{"md5": "${md5sum(join(dir, r))}", "relpath": "${r.replace('ö', '\\u00f6')}"}`)
      .join(', ')}]`;
    const listingFile = join(fx.scratch, 'listing.json');
    writeFileSync(listingFile, listing);
    expect(h.listing?.toString()).toBe(listing);
    expect(h.md5).toBe(`${md5sum(listingFile)}.dir`);
    expect(h.nfiles).toBe(3);
    expect(h.size).toBe(6 + 7 + 'ünïcode name\n'.length + 2);
  });

  it('re-hashes an unchanged tree from the stat cache, and notices a changed file', async () => {
    dataRepo();
    const stateFile = join(fx.scratch, 'state.json');
    const dir = join(fx.root, 'data');
    const cold = await StatCache.open(stateFile);
    const first = await hashPath(dir, { statCache: cold });
    await cold.save();
    // Poison the saved entry of one file: a second pass that returns the poisoned md5 never read the file.
    const raw = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, { md5: string }>;
    const csv = join(dir, 'train.csv');
    const entry = raw[csv];
    if (!entry) throw new Error('train.csv missing from the stat cache');
    entry.md5 = 'f'.repeat(32);
    writeFileSync(stateFile, JSON.stringify(raw));
    const warm = await hashPath(join(dir, 'train.csv'), { statCache: await StatCache.open(stateFile) });
    expect(warm.md5).toBe('f'.repeat(32));
    // A changed file (new size/mtime) misses the cache and is hashed again.
    writeFileSync(csv, 'changed\n');
    const again = await hashPath(dir, { statCache: await StatCache.open(stateFile) });
    expect(again.md5).not.toBe(first.md5);
    expect(again.entries?.find((e) => e.relpath === 'train.csv')?.md5).toBe(md5sum(csv));
  });

  it('hashes big files in worker threads with the same result', async () => {
    dataRepo();
    const big = join(fx.scratch, 'big.bin');
    writeFileSync(big, Buffer.alloc(3 * 1024 * 1024, 7));
    const pool = new Md5Pool(2, 1024);
    try {
      expect(await pool.hash(big, statSync(big).size)).toBe(md5sum(big));
    } finally {
      await pool.close();
    }
  });
});

describe('data add / pin', () => {
  it('writes .dvc files DVC reads, caches in files/md5/xx/…, and ignores the data in git', async () => {
    dataRepo();
    const cache = new DataCache(join(fx.root, '.dvc/cache'));
    const added = await addData(fx.root, ['data/train.csv', 'data/images/'], cache, { cwd: fx.root });
    const file = added[0];
    expect(readFileSync(join(fx.root, 'data/train.csv.dvc'), 'utf8')).toBe(
      `outs:\n- md5: ${md5sum(join(fx.root, 'data/train.csv'))}\n  size: 13\n  hash: md5\n  path: train.csv\n`,
    );
    const dirDvc = readFileSync(join(fx.root, 'data/images.dvc'), 'utf8');
    expect(dirDvc).toMatch(
      /^outs:\n- md5: [0-9a-f]{32}\.dir\n {2}size: \d+\n {2}nfiles: 3\n {2}hash: md5\n {2}path: images\n$/,
    );
    const md5 = file?.md5 ?? '';
    const obj = join(fx.root, '.dvc/cache/files/md5', md5.slice(0, 2), md5.slice(2));
    expect(md5sum(obj)).toBe(md5);
    expect(statSync(obj).mode & 0o222).toBe(0); // read-only
    const dirMd5 = added[1]?.md5 ?? '';
    expect(existsSync(join(fx.root, '.dvc/cache/files/md5', dirMd5.slice(0, 2), dirMd5.slice(2)))).toBe(true);
    expect(readFileSync(join(fx.root, 'data/.gitignore'), 'utf8')).toBe('/train.csv\n/images\n');
    expect((await readDvcFile(join(fx.root, 'data/images.dvc')))[0]).toMatchObject({ nfiles: 3, hash: 'md5' });

    const pins = await pinData(fx.root, ['data/train.csv', 'data/images'], { cwd: fx.root });
    expect(pins.map((p) => [p.path, p.md5, p.source])).toEqual([
      ['data/train.csv', md5, 'dvc-file'],
      ['data/images', dirMd5, 'dvc-file'],
    ]);
  });

  it('reads dvc.lock outs as pins and hashes plain paths', async () => {
    dataRepo();
    const md5 = md5sum(join(fx.root, 'data/train.csv'));
    fx.write(
      'dvc.lock',
      `schema: '2.0'\nstages:\n  prep:\n    cmd: python prep.py\n    outs:\n    - path: data/train.csv\n      hash: md5\n      md5: ${md5}\n      size: 13\n`,
    );
    const pins = await pinData(fx.root, ['data/train.csv', 'train.mjs'], { cwd: fx.root });
    expect(pins).toEqual([
      { path: 'data/train.csv', md5, size: 13, source: 'dvc.lock' },
      { path: 'train.mjs', md5: md5sum(join(fx.root, 'train.mjs')), size: 2, source: 'hashed' },
    ]);
  });

  it('refuses a path outside the repo, a .dvc file with a wrong hash, and a malformed .dvc file', async () => {
    dataRepo();
    await expect(pinData(fx.root, ['../outside.csv'], { cwd: fx.root })).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_REPO',
    });
    fx.write('data/train.csv.dvc', `outs:\n- md5: ${'0'.repeat(32)}\n  size: 12\n  hash: md5\n  path: train.csv\n`);
    const err = await pinData(fx.root, ['data/train.csv'], { cwd: fx.root }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HASH_MISMATCH' });
    expect((err as Error).message).toMatch(/records 0{32}/);
    fx.write('data/train.csv.dvc', 'outs:\n- md5: nothex\n  path: train.csv\n');
    await expect(pinData(fx.root, ['data/train.csv'], { cwd: fx.root })).rejects.toMatchObject({
      code: 'BAD_DVC_FILE',
    });
  });
});

describe('cache, remotes, checkout', () => {
  it('pushes to a directory remote, pulls into an empty cache, detects and re-fetches a corrupted object', async () => {
    dataRepo();
    const cache = new DataCache(join(fx.scratch, 'cache-a'));
    const [file, dir] = await addData(fx.root, ['data/train.csv', 'data/images'], cache, { cwd: fx.root });
    const remote = new LocalRemote(join(fx.scratch, 'remote'));
    const pins = [file?.md5 ?? '', dir?.md5 ?? ''];
    expect((await pushData(cache, remote, pins)).transferred).toHaveLength(5);
    expect((await pushData(cache, remote, pins)).transferred).toHaveLength(0);

    const worker = new DataCache(join(fx.scratch, 'cache-b'));
    expect((await fetchData(worker, remote, pins)).transferred).toHaveLength(5);
    // Corrupt an object in the worker's cache: fetch notices (re-hash) and downloads it again.
    const victim = worker.pathFor(pins[0] ?? '');
    chmodSync(victim, 0o644);
    writeFileSync(victim, 'garbage');
    const again = await fetchData(worker, remote, pins);
    expect(again.repaired).toEqual([pins[0]]);
    expect(md5sum(victim)).toBe(pins[0]);

    const workdir = join(fx.scratch, 'wd');
    mkdirSync(workdir);
    await checkoutData(worker, pins[1] ?? '', join(workdir, 'data/images'), 'hardlink');
    expect(readFileSync(join(workdir, 'data/images/sub/dög.txt'), 'utf8')).toBe('ünïcode name\n');
    expect(statSync(join(workdir, 'data/images/cat.png')).mode & 0o222).toBe(0);
    await checkoutData(worker, pins[0] ?? '', join(workdir, 'data/train.csv'), 'copy');
    expect(md5sum(join(workdir, 'data/train.csv'))).toBe(pins[0]);

    // No remote and a corrupted object: a clear error, not silent bad data.
    chmodSync(victim, 0o644);
    writeFileSync(victim, 'garbage');
    await expect(fetchData(worker, null, [pins[0] ?? ''])).rejects.toMatchObject({ code: 'HASH_MISMATCH' });

    const removed = await gcCache(worker, await worker.list(), [pins[1] ?? '']);
    expect(removed).toEqual([pins[0]]);
  });

  it('pushes to S3 (local S3-compatible server), resumes after the remote dies mid-push, pulls back', async () => {
    dataRepo();
    const s3 = await startS3TestServer();
    const remote = new S3Remote('s3://bucket/team/data', {
      endpoint: s3.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      const cache = new DataCache(join(fx.scratch, 'cache'));
      const [file, dir] = await addData(fx.root, ['data/train.csv', 'data/images'], cache, { cwd: fx.root });
      const pins = [file?.md5 ?? '', dir?.md5 ?? ''];
      s3.failPutsAfter = 2;
      await expect(pushData(cache, remote, pins)).rejects.toMatchObject({ code: 'REMOTE_UNREACHABLE' });
      expect(s3.objects.size).toBe(2);
      for (const [, body] of s3.objects) expect(body.length).toBeGreaterThan(0); // whole objects only
      expect([...s3.objects.keys()].some((k) => k.endsWith('.dir'))).toBe(false); // listing goes last
      s3.failPutsAfter = null;
      const resumed = await pushData(cache, remote, pins);
      expect(resumed.transferred).toHaveLength(3);
      expect(resumed.skipped).toBe(2);
      expect([...s3.objects.keys()].every((k) => k.startsWith('bucket/team/data/files/md5/'))).toBe(true);

      const worker = new DataCache(join(fx.scratch, 'worker-cache'));
      await fetchData(worker, remote, pins);
      for (const m of await worker.list()) expect(await worker.verify(m)).toBe(true);
      expect(await worker.list()).toHaveLength(5);
    } finally {
      await remote.close();
      await s3.close();
    }
  });

  it('uploads a large object to S3 in parts; an interrupted upload leaves no object and a re-push resumes', async () => {
    fx = createGitFixture({ 'train.mjs': 'x\n' });
    // 12 MiB + a bit, in 5 MiB parts: 3 parts (S3's 5 MiB minimum holds for every part but the last).
    const big = Buffer.alloc(12 * 1024 * 1024 + 123);
    for (let i = 0; i + 4 <= big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    fx.write('data/big.bin', big);
    const s3 = await startS3TestServer();
    const open = () =>
      new S3Remote('s3://bucket/data', {
        endpoint: s3.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
        multipartThreshold: 8 * 1024 * 1024,
        partSize: 5 * 1024 * 1024,
      });
    let remote = open();
    try {
      const cache = new DataCache(join(fx.scratch, 'cache'));
      const [pin] = await addData(fx.root, ['data/big.bin'], cache, { cwd: fx.root });
      const md5 = pin?.md5 ?? '';
      expect(md5).toBe(md5sum(join(fx.root, 'data/big.bin')));
      const key = `bucket/data/files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;

      // The remote goes away after one part: nothing visible under the key, the upload is kept for resuming.
      s3.failPutsAfter = 1;
      await expect(pushData(cache, remote, [md5])).rejects.toMatchObject({ code: 'REMOTE_UNREACHABLE' });
      expect(s3.objects.has(key)).toBe(false);
      expect(await remote.has(md5)).toBe(false);
      expect(await remote.list()).toEqual(new Set());
      const [pending] = [...s3.uploads.values()];
      expect(s3.uploads.size).toBe(1);
      expect(pending?.parts.size).toBe(1);

      // A new process pushes again: the part already there is kept, only the other two go up.
      await remote.close();
      remote = open();
      s3.failPutsAfter = null;
      const before = s3.puts;
      const progress: number[] = [];
      const resumed = await pushData(cache, remote, [md5], { onProgress: (p) => progress.push(p.bytes) });
      expect(resumed.transferred).toEqual([md5]);
      expect(s3.puts - before).toBe(2);
      expect(progress).toEqual([0, big.length]);
      expect(s3.uploads.size).toBe(0);
      expect(s3.objects.get(key)?.equals(big)).toBe(true);

      const worker = new DataCache(join(fx.scratch, 'worker-cache'));
      await fetchData(worker, remote, [md5]);
      expect(await worker.verify(md5)).toBe(true);
    } finally {
      await remote.close();
      await s3.close();
    }
  });

  it('resumes the newest leftover upload (re-sending a part that does not match the file) and aborts older ones', async () => {
    fx = createGitFixture({ 'train.mjs': 'x\n' });
    fx.write('data/mid.bin', Buffer.alloc(6 * 1024 * 1024, 7));
    const s3 = await startS3TestServer();
    const remote = new S3Remote('s3://bucket', {
      endpoint: s3.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      multipartThreshold: 1024 * 1024,
    });
    try {
      const cache = new DataCache(join(fx.scratch, 'cache'));
      const [pin] = await addData(fx.root, ['data/mid.bin'], cache, { cwd: fx.root });
      const md5 = pin?.md5 ?? '';
      // Two leftover uploads of the same object (earlier crashed pushes): the newest is used, the other aborted.
      const key = `files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;
      s3.uploads.set('old', { bucket: 'bucket', key, initiated: new Date(1_000), parts: new Map() });
      s3.uploads.set('newer', {
        bucket: 'bucket',
        key,
        initiated: new Date(2_000),
        parts: new Map([[1, Buffer.from('not the right bytes')]]),
      });
      await pushData(cache, remote, [md5]);
      expect(s3.uploads.size).toBe(0);
      expect(s3.objects.get(`bucket/${key}`)?.length).toBe(6 * 1024 * 1024);
      expect(await remote.has(md5)).toBe(true);
    } finally {
      await remote.close();
      await s3.close();
    }
  });
});
