import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

interface Entry {
  /** inode, mtime (ns, as a string: beyond 2^53), size — the file is unchanged while all three match. */
  i: number;
  m: string;
  s: number;
  md5: string;
}

/**
 * Remembers each file's md5 under (inode, mtime, size), like DVC's state db: re-hashing an unchanged tree
 * is then a stat per file. One JSON file, loaded once and saved once per command.
 */
export class StatCache {
  private entries = new Map<string, Entry>();
  private dirty = false;

  private constructor(private readonly file: string | null) {}

  static async open(file: string | null): Promise<StatCache> {
    const cache = new StatCache(file);
    if (file) {
      try {
        const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, Entry>;
        cache.entries = new Map(Object.entries(raw));
      } catch {
        // Missing or unreadable: start empty (it is only a cache).
      }
    }
    return cache;
  }

  get(path: string, st: { ino: number; mtimeNs: bigint; size: number }): string | null {
    const e = this.entries.get(path);
    return e && e.i === st.ino && e.m === String(st.mtimeNs) && e.s === st.size ? e.md5 : null;
  }

  set(path: string, st: { ino: number; mtimeNs: bigint; size: number }, md5: string): void {
    this.entries.set(path, { i: st.ino, m: String(st.mtimeNs), s: st.size, md5 });
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(Object.fromEntries(this.entries)));
    await rename(tmp, this.file);
    this.dirty = false;
  }
}
