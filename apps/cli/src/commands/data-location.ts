import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  DataCache,
  type DataRemote,
  gitText,
  LineageError,
  openRemote,
  redactUrl,
  StatCache,
} from '@hyperfleet/lineage';

/** The git work tree containing `cwd` (NOT_A_REPO otherwise): data paths are tracked relative to it. */
export async function repoRootOf(cwd: string): Promise<string> {
  return gitText(['rev-parse', '--show-toplevel'], { cwd }).catch((err: unknown) => {
    throw new LineageError('NOT_A_REPO', `${cwd} is not inside a git repository`, {
      hint: 'data is versioned next to code: run `git init` (and commit) first',
      cause: err,
    });
  });
}

/** DVC's cache when the repo is a DVC project (so both tools share it), else `.hyperfleet/cache`. */
export async function dataCacheFor(repoRoot: string): Promise<DataCache> {
  const dvc = await stat(join(repoRoot, '.dvc')).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return new DataCache(process.env.HYPERFLEET_DATA_CACHE ?? join(repoRoot, dvc ? '.dvc/cache' : '.hyperfleet/cache'));
}

export function statCacheFor(repoRoot: string): Promise<StatCache> {
  return StatCache.open(join(repoRoot, '.hyperfleet', 'data-state.json'));
}

/** --remote, else $HYPERFLEET_DATA_REMOTE, else the default remote in `.dvc/config`; null when none. */
export async function remoteUrlFor(repoRoot: string, flag: string | undefined): Promise<string | null> {
  return flag ?? process.env.HYPERFLEET_DATA_REMOTE ?? (await dvcDefaultRemote(repoRoot));
}

/** The remote `remoteUrlFor` names, opened; null when none is configured. */
export async function resolveRemote(repoRoot: string, flag: string | undefined): Promise<DataRemote | null> {
  const url = await remoteUrlFor(repoRoot, flag);
  return url ? openRemote(url, { cwd: repoRoot }) : null;
}

/**
 * The data remote as other machines should see it (--remote, else $HYPERFLEET_DATA_REMOTE, else `.dvc/config`'s
 * default): a directory made absolute, or a URL with any credentials removed; null when none is configured.
 */
export async function sharedRemoteUrl(repoRoot: string, flag?: string): Promise<string | null> {
  const url = await remoteUrlFor(repoRoot, flag);
  if (!url) return null;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? redactUrl(url) : resolve(repoRoot, url);
}

export async function requireRemote(repoRoot: string, flag: string | undefined): Promise<DataRemote> {
  const remote = await resolveRemote(repoRoot, flag);
  if (!remote) {
    throw new LineageError('BAD_REMOTE', 'no data remote configured', {
      hint: 'pass --remote <dir | s3://bucket/prefix>, set HYPERFLEET_DATA_REMOTE, or set a default remote in .dvc/config',
    });
  }
  return remote;
}

/** `[core] remote = name` + `['remote "name"'] url = …` from DVC's INI config. */
async function dvcDefaultRemote(repoRoot: string): Promise<string | null> {
  const text = await readFile(join(repoRoot, '.dvc', 'config'), 'utf8').catch(() => null);
  if (!text) return null;
  let section = '';
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const sec = /^\[\s*'?([^'\]]+?)'?\s*\]$/.exec(line);
    if (sec?.[1]) {
      section = sec[1].replace(/\s+/g, ' ');
      continue;
    }
    const kv = /^([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (kv?.[1] && kv[2] !== undefined) values.set(`${section}.${kv[1]}`, kv[2].trim());
  }
  const name = values.get('core.remote');
  return name ? (values.get(`remote "${name}".url`) ?? null) : null;
}
