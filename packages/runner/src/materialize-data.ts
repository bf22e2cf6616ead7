import { join } from 'node:path';
import {
  checkoutData,
  type DataCache,
  type DataPin,
  type DataRemote,
  fetchData,
  type LinkMode,
} from '@hyperfleet/lineage';

export interface MaterializeDataOptions {
  pins: readonly DataPin[];
  /** This machine's content-addressed cache (DVC layout). */
  cache: DataCache;
  /** Where missing or corrupted objects come from; null = the cache must already hold them. */
  remote: DataRemote | null;
  /** The pins' paths are relative to this (the worktree root). */
  root: string;
  /** Default hardlink (falls back to a copy across filesystems). */
  link?: LinkMode;
}

/**
 * Makes each pinned input appear at its path, exactly: fetched by hash into the cache when missing,
 * verified by re-hashing (a corrupted cache entry is fetched again), then linked in read-only.
 */
export async function materializeData(
  opts: MaterializeDataOptions,
): Promise<{ fetched: number; repaired: number; files: number }> {
  const md5s = opts.pins.map((p) => p.md5);
  const report = await fetchData(opts.cache, opts.remote, md5s);
  let files = 0;
  for (const pin of opts.pins) {
    files += await checkoutData(opts.cache, pin.md5, join(opts.root, ...pin.path.split('/')), opts.link ?? 'hardlink');
  }
  return { fetched: report.transferred.length, repaired: report.repaired.length, files };
}
