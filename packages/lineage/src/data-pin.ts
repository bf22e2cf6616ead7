import { appendFile, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { DataCache } from './data-cache';
import { type DvcOut, readDvcFile, writeDvcFile } from './dvc-file';
import { DvcIgnore } from './dvc-ignore';
import { readDvcLockOuts } from './dvc-lock';
import { type HashedPath, type HashOptions, hashPath } from './hash-path';
import { LineageError } from './lineage-error';

/** A data input pinned by content: what a trial must see at `path` (relative to the repo root). */
export interface DataPin {
  path: string;
  /** DVC md5; ends in `.dir` for a directory. */
  md5: string;
  size: number;
  nfiles?: number;
  /** Where the hash came from: a `.dvc` file, a `dvc.lock` stage, or hashed at pin time. */
  source: 'dvc-file' | 'dvc.lock' | 'hashed';
}

/** Repo-relative POSIX path of `path`; PATH_OUTSIDE_REPO when it is not inside the repository. */
export function repoRelative(repoRoot: string, path: string, cwd = process.cwd()): string {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  const rel = relative(repoRoot, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new LineageError('PATH_OUTSIDE_REPO', `data path ${path} is outside the repository ${repoRoot}`, {
      hint: 'data must live inside the repo (it is tracked by .dvc files there); move or symlink it in, or use a data remote',
    });
  }
  return rel.split(sep).join('/');
}

/** Puts a hashed path's content into the cache (files, and for a directory its entries and listing). */
export async function cacheHashed(cache: DataCache, abs: string, h: HashedPath): Promise<void> {
  if (!h.isDir) return cache.addFile(abs, h.md5);
  for (const e of h.entries ?? []) await cache.addFile(join(abs, ...e.relpath.split('/')), e.md5);
  if (h.listing) await cache.addDirListing(h.md5, h.listing);
}

/**
 * `hyperfleet data add`: hashes each path (DVC 3 md5), copies the content into the cache, writes
 * `<path>.dvc` beside it and lists the path in that directory's `.gitignore`, as `dvc add` does.
 */
export async function addData(
  repoRoot: string,
  paths: string[],
  cache: DataCache,
  opts: HashOptions & { cwd?: string } = {},
): Promise<Array<DataPin & { dvcFile: string }>> {
  const out: Array<DataPin & { dvcFile: string }> = [];
  opts = { ...opts, ignore: opts.ignore ?? new DvcIgnore(repoRoot) };
  for (const p of paths) {
    const rel = repoRelative(repoRoot, p.replace(/\/+$/, ''), opts.cwd);
    const abs = join(repoRoot, rel);
    const h = await hashPath(abs, opts);
    await cacheHashed(cache, abs, h);
    const dvcFile = `${abs}.dvc`;
    const o: DvcOut = { md5: h.md5, size: h.size, path: basename(abs), hash: 'md5' };
    if (h.isDir) o.nfiles = h.nfiles ?? 0;
    await writeDvcFile(dvcFile, [o]);
    await ignoreInGit(dirname(abs), basename(abs));
    out.push({
      path: rel,
      md5: h.md5,
      size: h.size,
      ...(h.isDir ? { nfiles: h.nfiles } : {}),
      source: 'dvc-file',
      dvcFile,
    });
  }
  return out;
}

export interface PinDataOptions extends HashOptions {
  cwd?: string;
  /** When given, content pinned by hashing (no .dvc file) is cached so it can be restored later. */
  cache?: DataCache;
}

/**
 * Pins the sweep's `data:` paths. A path with a `.dvc` file (or a `dvc.lock` out) is pinned by that
 * hash — after checking the workspace copy still matches it (a stale `.dvc` file is HASH_MISMATCH);
 * any other path is hashed now.
 */
export async function pinData(repoRoot: string, paths: string[], opts: PinDataOptions = {}): Promise<DataPin[]> {
  const lockOuts = await readDvcLockOuts(join(repoRoot, 'dvc.lock')).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  });
  const pins: DataPin[] = [];
  opts = { ...opts, ignore: opts.ignore ?? new DvcIgnore(repoRoot) };
  for (const p of paths) {
    const rel = repoRelative(repoRoot, p.replace(/\.dvc$/, '').replace(/\/+$/, ''), opts.cwd);
    const abs = join(repoRoot, rel);
    const dvcFile = `${abs}.dvc`;
    if (await exists(dvcFile)) {
      for (const o of await readDvcFile(dvcFile)) {
        const outRel = repoRelative(repoRoot, join(dirname(abs), o.path));
        await checkWorkspace(join(repoRoot, outRel), o.md5, dvcFile, opts);
        pins.push(pin(outRel, o, 'dvc-file'));
      }
      continue;
    }
    const locked = lockOuts.find((o) => o.path.replace(/\/+$/, '') === rel);
    if (locked) {
      await checkWorkspace(abs, locked.md5, `dvc.lock (stage ${locked.stage})`, opts);
      pins.push(pin(rel, locked, 'dvc.lock'));
      continue;
    }
    const h = await hashPath(abs, opts);
    if (opts.cache) await cacheHashed(opts.cache, abs, h);
    pins.push({ path: rel, md5: h.md5, size: h.size, ...(h.isDir ? { nfiles: h.nfiles } : {}), source: 'hashed' });
  }
  return pins;
}

function pin(path: string, o: DvcOut, source: DataPin['source']): DataPin {
  return { path, md5: o.md5, size: o.size, ...(o.nfiles !== undefined ? { nfiles: o.nfiles } : {}), source };
}

/** A workspace copy that differs from its recorded hash is refused: the pin would lie about the data. */
async function checkWorkspace(abs: string, md5: string, from: string, opts: HashOptions): Promise<void> {
  if (!(await exists(abs))) return; // not checked out here: the pin comes from the file, the cache has it
  const actual = (await hashPath(abs, opts)).md5;
  if (actual !== md5) {
    throw new LineageError('HASH_MISMATCH', `${abs} hashes to ${actual}, but ${from} records ${md5}`, {
      hint: `the data changed since it was added: run \`hyperfleet data add ${basename(abs)}\` to record the new version, or restore it with \`hyperfleet data pull\``,
      paths: [abs],
    });
  }
}

async function ignoreInGit(dir: string, name: string): Promise<void> {
  const file = join(dir, '.gitignore');
  const line = `/${name}`;
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current.split('\n').includes(line)) return;
  await appendFile(file, `${current === '' || current.endsWith('\n') ? '' : '\n'}${line}\n`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
