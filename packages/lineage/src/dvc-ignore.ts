import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

export const DVCIGNORE = '.dvcignore';

/**
 * DVC's `.dvcignore` files: gitignore patterns (matched with the `ignore` package, a gitignore implementation
 * used by eslint and prettier), in the repository root or any directory, each relative to its directory, the
 * deeper ones taking precedence (a `!pattern` there re-includes). What they match does not exist for DVC: it
 * is left out of a directory's hash and its cache entries, as `dvc add` and `dvc status` do.
 */
export class DvcIgnore {
  private readonly files = new Map<string, Ignore | null>();

  constructor(readonly repoRoot: string) {}

  /** Whether `abs` (a path inside the repository; `isDir` for a directory) is ignored. */
  ignores(abs: string, isDir: boolean): boolean {
    const rel = relative(this.repoRoot, abs);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return false;
    const parts = rel.split(sep);
    let ignored = false;
    // Every directory from the root down to the path's parent may have a .dvcignore; deeper ones win.
    for (let depth = 0; depth < parts.length; depth++) {
      const dir = join(this.repoRoot, ...parts.slice(0, depth));
      const ig = this.load(dir);
      if (!ig) continue;
      const sub = parts.slice(depth).join('/');
      const r = ig.test(isDir ? `${sub}/` : sub);
      if (r.ignored) ignored = true;
      else if (r.unignored) ignored = false;
    }
    return ignored;
  }

  /** Whether `abs` or a directory above it (up to the root) is ignored: then nothing in it counts. */
  ignoresPath(abs: string, isDir: boolean): boolean {
    if (this.ignores(abs, isDir)) return true;
    for (let d = dirname(abs); d.length > this.repoRoot.length && d.startsWith(this.repoRoot); d = dirname(d)) {
      if (this.ignores(d, true)) return true;
    }
    return false;
  }

  private load(dir: string): Ignore | null {
    if (this.files.has(dir)) return this.files.get(dir) ?? null;
    let ig: Ignore | null = null;
    try {
      ig = ignore().add(readFileSync(join(dir, DVCIGNORE), 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR')
        throw err;
    }
    this.files.set(dir, ig);
    return ig;
  }
}
