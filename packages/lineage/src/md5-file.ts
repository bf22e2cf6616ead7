import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';

const CHUNK = 4 * 1024 * 1024;

/**
 * md5 of a file's bytes (DVC 3's `hash: md5`: no dos2unix normalization), read in large chunks; with `range`,
 * of the bytes `start`..`end` (inclusive, as `createReadStream` counts) only.
 */
export async function md5File(path: string, range?: { start: number; end: number }): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const hash = createHash('md5');
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = range?.start ?? 0;
    let left = range ? range.end - range.start + 1 : Number.POSITIVE_INFINITY;
    while (left > 0) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, left), pos);
      if (bytesRead === 0) break;
      hash.update(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead));
      pos += bytesRead;
      left -= bytesRead;
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

// The worker is plain JS (no TypeScript loader in worker threads): read + hash off the main thread.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const buf = Buffer.allocUnsafe(${CHUNK});
parentPort.on('message', ({ id, path }) => {
  let fd;
  try {
    fd = openSync(path, 'r');
    const h = createHash('md5');
    for (;;) { const n = readSync(fd, buf, 0, buf.length, null); if (n === 0) break; h.update(n === buf.length ? buf : buf.subarray(0, n)); }
    parentPort.postMessage({ id, md5: h.digest('hex') });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err), code: err && err.code });
  } finally { if (fd !== undefined) closeSync(fd); }
});`;

/**
 * Hashes many files at once: big files go to a pool of worker threads (one md5 stream per core), small
 * ones stay on the main thread where a thread hop would cost more than the hash. `close()` ends the pool.
 */
export class Md5Pool {
  private workers: Worker[] = [];
  private idle: Worker[] = [];
  private queue: Array<() => void> = [];
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly size = Math.max(1, Math.min(4, cpus().length)),
    /** Files at least this big are hashed in a worker. */
    readonly parallelFrom = 8 * 1024 * 1024,
  ) {}

  async hash(path: string, size: number): Promise<string> {
    if (size < this.parallelFrom || this.size <= 1) return md5File(path);
    const worker = await this.acquire();
    try {
      return await new Promise<string>((resolve, reject) => {
        const id = this.next++;
        this.pending.set(id, { resolve, reject });
        worker.postMessage({ id, path });
      });
    } finally {
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    const all = this.workers;
    this.workers = [];
    this.idle = [];
    await Promise.all(all.map((w) => w.terminate()));
  }

  private async acquire(): Promise<Worker> {
    const free = this.idle.pop();
    if (free) return free;
    if (this.workers.length < this.size) return this.spawn();
    await new Promise<void>((resolve) => this.queue.push(resolve));
    return this.acquire();
  }

  private release(worker: Worker): void {
    if (!this.workers.includes(worker)) return;
    this.idle.push(worker);
    this.queue.shift()?.();
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (m: { id: number; md5?: string; error?: string; code?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.md5) p.resolve(m.md5);
      else p.reject(Object.assign(new Error(m.error ?? 'hash failed'), { code: m.code }));
    });
    this.workers.push(worker);
    return worker;
  }
}
