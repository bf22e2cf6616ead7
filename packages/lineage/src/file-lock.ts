import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FileLockOptions {
  /** Give up after this long (ms). Default 10 minutes: a first mirror clone can take a while. */
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Runs `fn` holding an exclusive lock file (`O_CREAT|O_EXCL`), so worker slots sharing a cache never
 * clone or fetch into the same mirror at once. A lock left by a dead process on this host is broken.
 * Hand-written: the npm lock libraries add retry/stale logic we need in ten lines, plus dependencies.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  const me = `${hostname()} ${process.pid}`;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(me);
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await isStale(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for the lock ${lockPath} (held by ${await holder(lockPath)})`);
      await sleep(opts.pollMs ?? 50);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function holder(lockPath: string): Promise<string> {
  return readFile(lockPath, 'utf8').catch(() => '?');
}

async function isStale(lockPath: string): Promise<boolean> {
  const [host, pid] = (await holder(lockPath)).split(' ');
  if (host !== hostname() || !pid) return false; // another machine's lock (shared FS), or being written now
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
