import { randomBytes } from 'node:crypto';
import { chmod, copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DirEntry, dirListing } from './hash-path';
import { LineageError } from './lineage-error';
import { md5File } from './md5-file';

/** How checked-out data reaches the workdir: a hardlink to the cache (free), or a copy. Both read-only. */
export type LinkMode = 'hardlink' | 'copy';

/**
 * Content-addressed data cache with DVC 3's layout: `<root>/files/md5/<2 hex>/<30 hex>` (and `….dir`
 * for directory listings), so `.dvc/cache` of an existing DVC project can be used as is. Objects are
 * written to a temp name then renamed (a crash never leaves a half object under a real name) and made
 * read-only, so a hardlinked trial cannot corrupt the cache by writing to its input.
 */
export class DataCache {
  constructor(readonly root: string) {}

  /** The object path for an md5 (`….dir` kept for directories). */
  pathFor(md5: string): string {
    return join(this.root, 'files', 'md5', md5.slice(0, 2), md5.slice(2));
  }

  async has(md5: string): Promise<boolean> {
    return stat(this.pathFor(md5)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  /** Re-hashes the object: false when missing or corrupted. */
  async verify(md5: string): Promise<boolean> {
    const file = this.pathFor(md5);
    const actual = await md5File(file).catch(() => null);
    return actual !== null && actual === md5.replace(/\.dir$/, '');
  }

  /** Copies `src` (already hashed as `md5`) into the cache. No-op when present. */
  async addFile(src: string, md5: string): Promise<void> {
    if (await this.has(md5)) return;
    await this.writeObject(md5, (tmp) => copyFile(src, tmp));
  }

  /** Stores a directory's `.dir` listing object. */
  async addDirListing(md5: string, listing: Buffer): Promise<void> {
    if (await this.has(md5)) return;
    await this.writeObject(md5, (tmp) => writeFile(tmp, listing));
  }

  /** Moves a downloaded file into the cache after checking it hashes to `md5` (HASH_MISMATCH otherwise). */
  async adoptVerified(tmpFile: string, md5: string): Promise<void> {
    const actual = await md5File(tmpFile);
    if (actual !== md5.replace(/\.dir$/, '')) {
      await rm(tmpFile, { force: true });
      throw new LineageError('HASH_MISMATCH', `downloaded object ${md5} hashes to ${actual}`, {
        hint: 'the remote copy is corrupted; push it again from a machine that has good data',
      });
    }
    const dest = this.pathFor(md5);
    await mkdir(dirname(dest), { recursive: true });
    await chmod(tmpFile, 0o444);
    await rename(tmpFile, dest);
  }

  /** A temp path on the cache's filesystem (so the final rename is atomic). */
  async tempPath(): Promise<string> {
    const dir = join(this.root, 'tmp');
    await mkdir(dir, { recursive: true });
    return join(dir, `${randomBytes(8).toString('hex')}.part`);
  }

  /** Every object md5 in the cache. */
  async list(): Promise<string[]> {
    const base = join(this.root, 'files', 'md5');
    const out: string[] = [];
    for (const d of await readdir(base).catch(() => [] as string[])) {
      for (const f of await readdir(join(base, d)).catch(() => [] as string[])) {
        if (/^[0-9a-f]{2}$/.test(d) && /^[0-9a-f]{30}(\.dir)?$/.test(f)) out.push(`${d}${f}`);
      }
    }
    return out;
  }

  async remove(md5: string): Promise<void> {
    await rm(this.pathFor(md5), { force: true });
  }

  /** The entries of a cached `.dir` object. */
  async readDirListing(md5: string): Promise<DirEntry[]> {
    const raw = await readFile(this.pathFor(md5), 'utf8').catch((err: unknown) => {
      throw new LineageError('DATA_NOT_FOUND', `directory listing ${md5} is not in the cache (${this.root})`, {
        hint: 'pull it from the remote: hyperfleet data pull',
        cause: err,
      });
    });
    const list = JSON.parse(raw) as Array<{ md5: string; relpath: string; size?: number }>;
    if (dirListing(list).toString('utf8') !== raw && !(await this.verify(md5))) {
      throw new LineageError('HASH_MISMATCH', `directory listing ${md5} in the cache is corrupted`);
    }
    return list.map((e) => ({ md5: e.md5, relpath: e.relpath, size: e.size ?? 0 }));
  }

  /** Links one cached object to `dest` read-only (replacing what is there). */
  async linkTo(md5: string, dest: string, mode: LinkMode): Promise<void> {
    await mkdir(dirname(dest), { recursive: true });
    await rm(dest, { force: true });
    if (mode === 'hardlink') {
      try {
        await link(this.pathFor(md5), dest);
        return;
      } catch (err) {
        // Another filesystem (EXDEV) or no hardlinks here: fall back to a copy.
        if (!['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      }
    }
    await copyFile(this.pathFor(md5), dest);
    await chmod(dest, 0o444);
  }

  private async writeObject(md5: string, fill: (tmp: string) => Promise<void>): Promise<void> {
    const tmp = await this.tempPath();
    try {
      await fill(tmp);
      await chmod(tmp, 0o444);
      const dest = this.pathFor(md5);
      await mkdir(dirname(dest), { recursive: true });
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
