import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DataRemote, md5OfKey, objectKey } from './data-remote';
import { LineageError } from './lineage-error';

/** A remote that is a directory: local disk, NFS, SMB — anything mounted. */
export class LocalRemote implements DataRemote {
  readonly url: string;

  constructor(readonly root: string) {
    this.url = root;
  }

  async has(md5: string): Promise<boolean> {
    return stat(join(this.root, objectKey(md5))).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async put(md5: string, file: string): Promise<void> {
    const dest = join(this.root, objectKey(md5));
    const tmp = `${dest}.${randomBytes(6).toString('hex')}.part`;
    try {
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(file, tmp);
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw unreachable(this.root, err);
    }
  }

  async get(md5: string, destFile: string): Promise<void> {
    try {
      await copyFile(join(this.root, objectKey(md5)), destFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new LineageError('DATA_NOT_FOUND', `object ${md5} is not on the remote ${this.root}`, {
          hint: 'push it from the machine that has it: hyperfleet data push',
        });
      }
      throw unreachable(this.root, err);
    }
  }

  async list(): Promise<Set<string>> {
    const out = new Set<string>();
    const base = join(this.root, 'files', 'md5');
    const dirs = await readdir(base).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw unreachable(this.root, err);
    });
    for (const d of dirs) {
      for (const f of await readdir(join(base, d)).catch(() => [] as string[])) {
        const md5 = md5OfKey(`files/md5/${d}/${f}`);
        if (md5) out.add(md5);
      }
    }
    return out;
  }

  async close(): Promise<void> {}
}

function unreachable(root: string, err: unknown): LineageError {
  return new LineageError('REMOTE_UNREACHABLE', `the data remote ${root} failed: ${(err as Error).message}`, {
    hint: 'check that the directory is mounted and writable, then run the command again (it resumes)',
    cause: err,
  });
}
