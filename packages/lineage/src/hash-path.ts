import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DVCIGNORE, type DvcIgnore } from './dvc-ignore';
import { LineageError } from './lineage-error';
import type { Md5Pool } from './md5-file';
import { md5File } from './md5-file';
import { pythonJsonDumps } from './python-json';
import type { StatCache } from './stat-cache';

/** One file of a directory, as DVC lists it in the `.dir` object. */
export interface DirEntry {
  relpath: string;
  md5: string;
  size: number;
}

/** A hashed file or directory. Directory hashes end in `.dir`, as in DVC. */
export interface HashedPath {
  md5: string;
  size: number;
  isDir: boolean;
  /** Directories only. */
  nfiles?: number;
  entries?: DirEntry[];
  /** Directories only: the `.dir` object's bytes (the JSON listing whose md5 is `md5` without `.dir`). */
  listing?: Buffer;
}

export interface HashOptions {
  statCache?: StatCache;
  pool?: Md5Pool;
  /** Concurrent small-file hashes (I/O overlap). Default 16. */
  concurrency?: number;
  /** The repository's `.dvcignore` rules: what they match is left out (and an ignored path is refused). */
  ignore?: DvcIgnore;
}

const SMALL_FILE = 1024 * 1024;

// Never part of a data directory's content (as in DVC, which skips its own and git's metadata).
const SKIP = new Set(['.git', '.dvc', '.hyperfleet', '.DS_Store']);

/** Hashes a file or a directory the way DVC 3 does (md5; directories as a sorted `[{md5, relpath}]` listing). */
export async function hashPath(path: string, opts: HashOptions = {}): Promise<HashedPath> {
  const st = await stat(path, { bigint: true }).catch((err: unknown) => {
    throw new LineageError('DATA_NOT_FOUND', `${path} does not exist`, { cause: err });
  });
  if (opts.ignore?.ignoresPath(path, st.isDirectory())) {
    throw new LineageError('DATA_NOT_FOUND', `${path} is ignored by a .dvcignore file, so it does not exist for DVC`, {
      hint: 'remove the .dvcignore pattern that matches it, or version another path',
      paths: [path],
    });
  }
  if (!st.isDirectory()) {
    const md5 = await hashOne(path, st, opts);
    return { md5, size: Number(st.size), isDir: false };
  }
  const files = listFiles(path, opts.ignore);
  const entries: DirEntry[] = new Array(files.length);
  const misses: number[] = [];
  // Pass 1, synchronous: stat every file and take what the stat cache knows (an unchanged tree ends here).
  const stats = files.map((file, i) => {
    // Sync stat: a metadata lookup is microseconds, far below the cost of a thread-pool round trip.
    const fst = statSync(file, { bigint: true });
    const key = { ino: Number(fst.ino), mtimeNs: fst.mtimeNs, size: Number(fst.size) };
    const relpath = relative(path, file).split(sep).join('/');
    const cached = opts.statCache?.get(file, key);
    if (cached) entries[i] = { relpath, md5: cached, size: key.size };
    else misses.push(i);
    return { relpath, fst };
  });
  // Pass 2: hash what changed, several at a time (big files in the worker pool).
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = misses[next++];
      if (i === undefined) return;
      const file = files[i] as string;
      const { relpath, fst } = stats[i] as (typeof stats)[number];
      entries[i] = { relpath, md5: await hashOne(file, fst, opts), size: Number(fst.size) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(misses.length, opts.concurrency ?? 16) }, worker));
  entries.sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0));
  const listing = dirListing(entries);
  return {
    md5: `${createHash('md5').update(listing).digest('hex')}.dir`,
    size: entries.reduce((n, e) => n + e.size, 0),
    isDir: true,
    nfiles: entries.length,
    entries,
    listing,
  };
}

/** The `.dir` object bytes: `json.dumps([{"md5": …, "relpath": …}, …], sort_keys=True)`, sorted by relpath. */
export function dirListing(entries: readonly Pick<DirEntry, 'md5' | 'relpath'>[]): Buffer {
  return Buffer.from(pythonJsonDumps(entries.map((e) => ({ md5: e.md5, relpath: e.relpath }))), 'utf8');
}

async function hashOne(
  path: string,
  st: { ino: bigint; mtimeNs: bigint; size: bigint },
  opts: HashOptions,
): Promise<string> {
  const key = { ino: Number(st.ino), mtimeNs: st.mtimeNs, size: Number(st.size) };
  const cached = opts.statCache?.get(path, key);
  if (cached) return cached;
  // Small files in one read: a streamed read's buffer and extra syscalls dominate for them.
  const md5 =
    key.size <= SMALL_FILE
      ? createHash('md5').update(readFileSync(path)).digest('hex')
      : opts.pool
        ? await opts.pool.hash(path, key.size)
        : await md5File(path);
  opts.statCache?.set(path, key, md5);
  return md5;
}

function listFiles(dir: string, ignore: DvcIgnore | undefined): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const it of readdirSync(d, { withFileTypes: true })) {
      if (SKIP.has(it.name)) continue;
      const full = join(d, it.name);
      if (ignore && it.name === DVCIGNORE) {
        // As DVC: rules for a tracked directory's content live above it, not inside (they would be data too).
        throw new LineageError('BAD_DVC_FILE', `${full} is inside the data directory ${dir}`, {
          hint: `move its patterns to a .dvcignore above ${dir} (e.g. the repository root's), with paths relative to it`,
          paths: [full],
        });
      }
      const t = it.isSymbolicLink() ? statOrNull(full) : it;
      const isDir = t?.isDirectory() ?? false;
      if (ignore?.ignores(full, isDir)) continue;
      if (isDir) walk(full);
      else if (t?.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out;
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
