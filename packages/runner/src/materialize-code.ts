import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  applyBundle,
  type CodePin,
  git,
  gitCredentialEnv,
  LineageError,
  redactUrl,
  sha256Address,
  withFileLock,
} from '@hyperfleet/lineage';

export interface MaterializeCodeOptions {
  pin: CodePin;
  /** Cache of bare mirrors, one per remote (`<mirrorsDir>/<sha256 of the URL>.git`); shared by all slots. */
  mirrorsDir: string;
  /** The trial's worktree, created here (must not exist yet); removed by `cleanup()`. */
  workdir: string;
  /**
   * Where to clone from. Default: the pin's remote, or its repo path when it has none (same machine).
   * May carry credentials: it is only handed to git, never stored or printed.
   */
  source?: string;
  /** The pinned diff's bytes (looked up by `pin.diff.hash`); required when the pin has a diff. */
  diff?: Buffer | null;
  /** A `git bundle` holding the commit, for a commit the source does not have (an unpushed laptop commit). */
  bundleFile?: string;
  env?: NodeJS.ProcessEnv;
}

export interface MaterializedCode {
  /** Worktree root. */
  root: string;
  /** Where the trial runs: the root plus the pin's subdir. */
  cwd: string;
  /** Removes the worktree (idempotent; never throws). */
  cleanup(): Promise<void>;
}

/**
 * Checks out the pinned code for one trial: a cached bare mirror of the remote (cloned once, fetched when
 * the commit is missing, under a file lock so concurrent slots are safe) → a detached worktree at the
 * commit → the pinned diff applied, failing loudly with the conflicting paths.
 */
export async function materializeCode(opts: MaterializeCodeOptions): Promise<MaterializedCode> {
  const { pin } = opts;
  const source = opts.source ?? pin.remote ?? pin.repoRoot;
  const key = createHash('sha256').update(redactUrl(source)).digest('hex').slice(0, 32);
  await mkdir(opts.mirrorsDir, { recursive: true });
  const mirror = join(opts.mirrorsDir, `${key}.git`);
  const env = { ...gitCredentialEnv(opts.env) };

  if (pin.diff && !opts.diff) {
    throw new LineageError(
      'MISSING_BLOB',
      `the pinned diff ${pin.diff.hash} of commit ${pin.commit.slice(0, 12)} is not available`,
      {
        hint: 'the diff blob is kept in the tracking store; is this the store the trial was recorded in?',
      },
    );
  }
  if (pin.diff && opts.diff && sha256Address(opts.diff) !== pin.diff.hash) {
    throw new LineageError('HASH_MISMATCH', `the diff bytes do not hash to the pinned ${pin.diff.hash}`, {
      hint: 'the stored diff is corrupted; re-submit the sweep from the original working tree',
    });
  }

  await withFileLock(`${mirror}.lock`, async () => {
    await ensureMirror(mirror, source, env, opts.bundleFile);
    await ensureCommit(mirror, pin, env, opts.bundleFile);
    await rm(opts.workdir, { recursive: true, force: true });
    await git(['worktree', 'prune'], { cwd: mirror });
    await git(['worktree', 'add', '-q', '--detach', '-f', opts.workdir, pin.commit], { cwd: mirror });
  });

  let cleaned: Promise<void> | null = null;
  const cleanup = () => {
    cleaned ??= withFileLock(`${mirror}.lock`, async () => {
      await git(['worktree', 'remove', '--force', opts.workdir], { cwd: mirror }).catch(() => undefined);
      await rm(opts.workdir, { recursive: true, force: true });
      await git(['worktree', 'prune'], { cwd: mirror }).catch(() => undefined);
    }).catch(() => undefined);
    return cleaned;
  };

  if (pin.diff && opts.diff) {
    try {
      await applyDiff(opts.workdir, opts.diff, pin);
    } catch (err) {
      await cleanup();
      throw err;
    }
  }
  const cwd = pin.subdir ? join(opts.workdir, pin.subdir) : opts.workdir;
  return { root: opts.workdir, cwd, cleanup };
}

async function ensureMirror(mirror: string, source: string, env: Record<string, string>, bundle?: string) {
  if (await exists(join(mirror, 'HEAD'))) return;
  const tmp = `${mirror}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  try {
    await git(['clone', '-q', '--mirror', source, tmp], { cwd: join(mirror, '..'), env });
  } catch (err) {
    // The remote is unreachable from here: a bundle can still seed an empty mirror.
    if (!bundle) throw unreachable(source, err);
    await rm(tmp, { recursive: true, force: true });
    await git(['init', '-q', '--bare', tmp], { cwd: join(mirror, '..') });
  }
  await rename(tmp, mirror);
}

async function ensureCommit(mirror: string, pin: CodePin, env: Record<string, string>, bundle?: string) {
  if (await hasCommit(mirror, pin.commit)) return;
  if (bundle) {
    await applyBundle(mirror, bundle, pin.commit);
    return;
  }
  await git(['fetch', '-q', '--prune', 'origin'], { cwd: mirror, env }).catch(() => undefined);
  // Servers that allow fetching any reachable commit by hash (GitHub, GitLab) cover a deleted branch.
  if (!(await hasCommit(mirror, pin.commit))) {
    await git(['fetch', '-q', 'origin', pin.commit], { cwd: mirror, env }).catch(() => undefined);
  }
  if (!(await hasCommit(mirror, pin.commit))) {
    throw new LineageError(
      'UNPUSHED_COMMIT',
      `commit ${pin.commit.slice(0, 12)} is not on ${pin.remote ?? pin.repoRoot}: this machine cannot fetch it`,
      { hint: 'push the commit from the machine that submitted the sweep, or ship it as a git bundle' },
    );
  }
}

async function applyDiff(workdir: string, diff: Buffer, pin: CodePin): Promise<void> {
  const check = await git(['apply', '--check', '--binary', '--whitespace=nowarn', '-'], {
    cwd: workdir,
    input: diff,
    okCodes: [1, 128],
  });
  if (check.code !== 0) {
    const paths = conflictingPaths(check.stderr);
    throw new LineageError(
      'DIFF_CONFLICT',
      `the pinned diff ${pin.diff?.hash.slice(0, 19)} no longer applies to commit ${pin.commit.slice(0, 12)}: ${paths.join(', ') || check.stderr}`,
      { hint: 'the commit or diff changed since pinning; re-pin from a clean tree (commit your changes)', paths },
    );
  }
  await git(['apply', '--binary', '--whitespace=nowarn', '-'], { cwd: workdir, input: diff });
}

/** The paths git apply complains about ("error: patch failed: a.txt:3", "error: b.txt: does not exist in index"). */
export function conflictingPaths(stderr: string): string[] {
  const paths = new Set<string>();
  for (const line of stderr.split('\n')) {
    const m =
      /^error: patch failed: (.+):\d+$/.exec(line) ??
      /^error: (.+?): (?:does not exist in index|already exists in working directory|patch does not apply|No such file or directory|does not match index)$/.exec(
        line,
      );
    if (m?.[1]) paths.add(m[1]);
  }
  return [...paths];
}

async function hasCommit(repo: string, commit: string): Promise<boolean> {
  const r = await git(['cat-file', '-e', `${commit}^{commit}`], { cwd: repo, okCodes: [1, 128] });
  return r.code === 0;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function unreachable(source: string, err: unknown): LineageError {
  return new LineageError(
    'UNPUSHED_COMMIT',
    `cannot clone ${redactUrl(source)} from this machine: ${(err as Error).message}`,
    {
      hint: 'check the remote URL and credentials (HYPERFLEET_GIT_TOKEN), or ship the code as a git bundle',
      cause: err,
    },
  );
}
