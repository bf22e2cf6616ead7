import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataCache, LinkMode } from './data-cache';
import type { DataRemote } from './data-remote';
import { LineageError } from './lineage-error';

/** Object md5s a set of pins needs, directories expanded to their files (listing last). */
export async function objectsOf(cache: DataCache, md5s: Iterable<string>): Promise<string[]> {
  const files = new Set<string>();
  const dirs: string[] = [];
  for (const m of md5s) {
    if (m.endsWith('.dir')) {
      dirs.push(m);
      for (const e of await cache.readDirListing(m)) files.add(e.md5);
    } else files.add(m);
  }
  return [...files, ...dirs];
}

export interface TransferReport {
  transferred: string[];
  skipped: number;
}

/** Where a push stands: objects and bytes sent so far out of what the remote lacked. */
export interface PushProgress {
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
}

/**
 * Uploads what the remote lacks. Directory listings go last, so a listing on the remote means all its
 * files are there; an interrupted push leaves only whole objects and the next push resumes.
 */
export async function pushData(
  cache: DataCache,
  remote: DataRemote,
  md5s: Iterable<string>,
  opts: { onProgress?: (p: PushProgress) => void } = {},
): Promise<TransferReport> {
  const wanted = await objectsOf(cache, md5s);
  const present = await remote.list();
  const missing = wanted.filter((m) => !present.has(m));
  const sizes: number[] = [];
  for (const m of missing) {
    const size = await stat(cache.pathFor(m)).then(
      (s) => s.size,
      () => null,
    );
    if (size === null) {
      throw new LineageError(
        'DATA_NOT_FOUND',
        `object ${m} is not in the local cache (${cache.root}), so it cannot be pushed to ${remote.url}`,
        {
          hint: 'run `hyperfleet data add` on the data again, or pull it from where it was pushed',
        },
      );
    }
    sizes.push(size);
  }
  const progress: PushProgress = {
    done: 0,
    total: missing.length,
    bytes: 0,
    totalBytes: sizes.reduce((a, b) => a + b, 0),
  };
  opts.onProgress?.({ ...progress });
  const transferred: string[] = [];
  for (const [i, m] of missing.entries()) {
    await remote.put(m, cache.pathFor(m));
    transferred.push(m);
    progress.done++;
    progress.bytes += sizes[i] ?? 0;
    opts.onProgress?.({ ...progress });
  }
  return { transferred, skipped: wanted.length - transferred.length };
}

/**
 * Makes the cache hold every object of `md5s`, verified: a missing or corrupted object (re-hashed, not
 * trusted) is fetched from the remote, checked against its md5 and moved in atomically.
 */
export async function fetchData(
  cache: DataCache,
  remote: DataRemote | null,
  md5s: Iterable<string>,
): Promise<TransferReport & { repaired: string[] }> {
  const transferred: string[] = [];
  const repaired: string[] = [];
  let skipped = 0;
  const ensure = async (m: string) => {
    const present = await cache.has(m);
    if (present && (await cache.verify(m))) {
      skipped++;
      return;
    }
    if (present) repaired.push(m);
    if (!remote) {
      throw new LineageError(
        present ? 'HASH_MISMATCH' : 'DATA_NOT_FOUND',
        present
          ? `cache object ${m} is corrupted and there is no remote to fetch it again from`
          : `object ${m} is not in the cache (${cache.root}) and no data remote is configured`,
        {
          hint: 'configure a remote (--remote URL or HYPERFLEET_DATA_REMOTE) holding the data, or run `hyperfleet data add` again',
        },
      );
    }
    await cache.remove(m);
    const tmp = await cache.tempPath();
    try {
      await remote.get(m, tmp);
      await cache.adoptVerified(tmp, m);
    } finally {
      await rm(tmp, { force: true });
    }
    transferred.push(m);
  };
  const list = [...md5s];
  // Listings first: they say which files a directory needs.
  for (const m of list.filter((x) => x.endsWith('.dir'))) await ensure(m);
  for (const m of await objectsOf(cache, list)) if (!m.endsWith('.dir')) await ensure(m);
  return { transferred, skipped, repaired };
}

/** Links a pinned file or directory from the cache into `dest` (read-only files). */
export async function checkoutData(cache: DataCache, md5: string, dest: string, mode: LinkMode): Promise<number> {
  if (!md5.endsWith('.dir')) {
    await cache.linkTo(md5, dest, mode);
    return 1;
  }
  const entries = await cache.readDirListing(md5);
  await rm(dest, { recursive: true, force: true });
  for (const e of entries) await cache.linkTo(e.md5, join(dest, ...e.relpath.split('/')), mode);
  return entries.length;
}

/** Removes cache objects not reachable from `keep` (directories keep their files). Returns what was removed. */
export async function gcCache(cache: DataCache, all: Iterable<string>, keep: Iterable<string>): Promise<string[]> {
  const live = new Set<string>();
  for (const m of keep) {
    live.add(m);
    if (m.endsWith('.dir')) {
      for (const e of await cache.readDirListing(m).catch(() => [])) live.add(e.md5);
    }
  }
  const removed: string[] = [];
  for (const m of all) {
    if (live.has(m)) continue;
    await cache.remove(m);
    removed.push(m);
  }
  return removed;
}
