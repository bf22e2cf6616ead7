import { dirname, join, relative } from 'node:path';
import {
  addData,
  checkoutData,
  DvcIgnore,
  fetchData,
  gcCache,
  gitText,
  hashPath,
  Md5Pool,
  type PushProgress,
  pushData,
  readDvcFile,
  readDvcLockOuts,
  repoRelative,
} from '@hyperfleet/lineage';
import { CliError, EXIT } from '../cli-error';
import { withStore } from '../open-sweep';
import { dataCacheFor, repoRootOf, requireRemote, resolveRemote, statCacheFor } from './data-location';
import { withLineageErrors } from './lineage-errors';

type Out = NodeJS.WritableStream;

/** `hyperfleet data add <paths…>`: hash (DVC 3 md5), cache, write `.dvc` files. */
export async function dataAddCommand(
  paths: string[],
  opts: { json?: boolean },
  out: Out = process.stdout,
): Promise<number> {
  return withLineageErrors(async () => {
    const repo = await repoRootOf(process.cwd());
    const cache = await dataCacheFor(repo);
    const statCache = await statCacheFor(repo);
    const pool = new Md5Pool();
    try {
      const added = await addData(repo, paths, cache, { cwd: process.cwd(), statCache, pool });
      await statCache.save();
      if (opts.json) out.write(`${JSON.stringify(added, null, 2)}\n`);
      else {
        for (const a of added)
          out.write(
            `${a.path}  ${a.md5}  ${formatSize(a.size)}${a.nfiles === undefined ? '' : `, ${a.nfiles} files`}\n`,
          );
        out.write(
          `cached in ${cache.root}\nto track the versions: git add ${added.map((a) => `${a.path}.dvc`).join(' ')} .gitignore\n`,
        );
      }
      return EXIT.ok;
    } finally {
      await pool.close();
    }
  });
}

/** What the repo's `.dvc` files (or just `targets`) record, read as is: the workspace is not consulted. */
async function trackedOuts(repo: string, targets: string[]): Promise<Array<{ path: string; md5: string }>> {
  let files: string[];
  if (targets.length === 0) {
    const listed = await gitText(['ls-files', '-co', '--exclude-standard', '--', '*.dvc'], { cwd: repo });
    files = listed
      .split('\n')
      .filter(Boolean)
      .map((f) => join(repo, f));
  } else {
    files = targets.map((t) => `${join(repoRelativeAbs(repo, t))}.dvc`);
  }
  const outs: Array<{ path: string; md5: string }> = [];
  for (const f of files) {
    for (const o of await readDvcFile(f)) outs.push({ path: relative(repo, join(dirname(f), o.path)), md5: o.md5 });
  }
  return outs;
}

function repoRelativeAbs(repo: string, target: string): string {
  return join(repo, repoRelative(repo, target.replace(/\.dvc$/, '').replace(/\/+$/, ''), process.cwd()));
}

export async function dataPushCommand(
  targets: string[],
  opts: { remote?: string },
  out: Out = process.stdout,
): Promise<number> {
  return withLineageErrors(async () => {
    const repo = await repoRootOf(process.cwd());
    const cache = await dataCacheFor(repo);
    const remote = await requireRemote(repo, opts.remote);
    try {
      const outs = await trackedOuts(repo, targets);
      const bar = pushProgressBar(remote.url);
      const r = await pushData(
        cache,
        remote,
        outs.map((p) => p.md5),
        bar.onProgress ? { onProgress: bar.onProgress } : {},
      ).finally(bar.end);
      out.write(`pushed ${r.transferred.length} object(s) to ${remote.url}, ${r.skipped} already there\n`);
      return EXIT.ok;
    } finally {
      await remote.close();
    }
  });
}

export async function dataPullCommand(
  targets: string[],
  opts: { remote?: string; force?: boolean },
  out: Out = process.stdout,
): Promise<number> {
  return withLineageErrors(async () => {
    const repo = await repoRootOf(process.cwd());
    const cache = await dataCacheFor(repo);
    const remote = await resolveRemote(repo, opts.remote);
    try {
      const outs = await trackedOuts(repo, targets);
      const r = await fetchData(
        cache,
        remote,
        outs.map((p) => p.md5),
      );
      const statCache = await statCacheFor(repo);
      const ignore = new DvcIgnore(repo);
      const kept: string[] = [];
      let checkedOut = 0;
      for (const p of outs) {
        const current = await hashPath(join(repo, p.path), { statCache, ignore }).then(
          (h) => h.md5,
          () => null,
        );
        if (current === p.md5) continue;
        // Local edits are never overwritten silently: they may be the only copy.
        if (current !== null && !opts.force) {
          kept.push(p.path);
          continue;
        }
        await checkoutData(cache, p.md5, join(repo, p.path), 'copy');
        checkedOut++;
      }
      await statCache.save();
      out.write(
        `fetched ${r.transferred.length} object(s)${r.repaired.length ? ` (${r.repaired.length} corrupted in the cache, re-fetched)` : ''}; checked out ${checkedOut} path(s)\n`,
      );
      if (kept.length > 0) {
        throw new CliError(
          `kept the local changes to ${kept.join(', ')}: they differ from the recorded version`,
          'record them with `hyperfleet data add`, or pass --force to overwrite them with the recorded version',
          EXIT.failure,
        );
      }
      return EXIT.ok;
    } finally {
      await remote?.close();
    }
  });
}

export async function dataStatusCommand(
  opts: { remote?: string; json?: boolean },
  out: Out = process.stdout,
): Promise<number> {
  return withLineageErrors(async () => {
    const repo = await repoRootOf(process.cwd());
    const cache = await dataCacheFor(repo);
    const remote = await resolveRemote(repo, opts.remote);
    const statCache = await statCacheFor(repo);
    const ignore = new DvcIgnore(repo);
    try {
      const files = await gitText(['ls-files', '-co', '--exclude-standard', '--', '*.dvc'], { cwd: repo });
      const onRemote = remote ? await remote.list() : null;
      const rows: Array<{ path: string; md5: string; workspace: string; cache: boolean; remote: boolean | null }> = [];
      for (const f of files.split('\n').filter(Boolean)) {
        for (const o of await readDvcFile(join(repo, f))) {
          const path = join(repo, f, '..', o.path);
          const actual = await hashPath(path, { statCache, ignore }).then(
            (h) => h.md5,
            () => null,
          );
          rows.push({
            path: path.slice(repo.length + 1),
            md5: o.md5,
            workspace: actual === null ? 'missing' : actual === o.md5 ? 'ok' : 'modified',
            cache: await cache.has(o.md5),
            remote: onRemote ? onRemote.has(o.md5) : null,
          });
        }
      }
      await statCache.save();
      if (opts.json) out.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) out.write('no data tracked (hyperfleet data add <path>)\n');
      else {
        for (const r of rows) {
          out.write(
            `${r.workspace.padEnd(9)} ${r.cache ? 'cached' : 'not cached'}${r.remote === null ? '' : r.remote ? ', on remote' : ', not on remote'}  ${r.path}\n`,
          );
        }
      }
      return rows.every((r) => r.workspace === 'ok') ? EXIT.ok : EXIT.failure;
    } finally {
      await remote?.close();
    }
  });
}

/** Removes cache objects no `.dvc` file, `dvc.lock` or recorded trial pins (trials stay reproducible). */
export async function dataGcCommand(
  opts: { store?: string; dryRun?: boolean },
  out: Out = process.stdout,
): Promise<number> {
  return withLineageErrors(async () => {
    const repo = await repoRootOf(process.cwd());
    const cache = await dataCacheFor(repo);
    const keep = new Set((await trackedOuts(repo, [])).map((p) => p.md5));
    for (const o of await readDvcLockOuts(join(repo, 'dvc.lock')).catch(() => [])) keep.add(o.md5);
    for (const m of await withStore(opts.store, (s) => s.lineage().listPinnedData())) keep.add(m);
    const all = await cache.list();
    if (opts.dryRun) {
      const removable = all.filter((m) => !keep.has(m));
      out.write(
        `would remove ${removable.length} of ${all.length} object(s) (dry run; directories' files are kept too)\n`,
      );
      return EXIT.ok;
    }
    const removed = await gcCache(cache, all, keep);
    out.write(`removed ${removed.length} of ${all.length} object(s) from ${cache.root}\n`);
    return EXIT.ok;
  });
}

/**
 * A one-line progress bar for a push on a terminal (redrawn in place, on `err`); undefined when `err` is not a
 * TTY, so logs and pipes get only the summary line.
 */
export function pushProgressBar(
  remoteUrl: string,
  err: NodeJS.WriteStream = process.stderr,
): { onProgress?: (p: PushProgress) => void; end: () => void } {
  if (!err.isTTY) return { end: () => undefined };
  let drawn = false;
  return {
    onProgress: (p) => {
      if (p.total === 0) return;
      const width = 24;
      const filled = p.totalBytes > 0 ? Math.round((p.bytes / p.totalBytes) * width) : 0;
      err.write(
        `\rpushing to ${remoteUrl} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${p.done}/${p.total} object(s), ${formatSize(p.bytes)} of ${formatSize(p.totalBytes)}\x1b[K`,
      );
      drawn = true;
    },
    end: () => {
      if (drawn) err.write('\n');
    },
  };
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
