import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { sha256Address } from './content-hash';
import { git, gitText } from './git';
import { LineageError } from './lineage-error';
import { redactUrl } from './redact-url';

/** What to do with untracked (not ignored) files: refuse any dirty state, warn and leave them out, or ship them. */
export type UntrackedPolicy = 'refuse' | 'warn' | 'include';

/** The code a trial runs: a commit plus the uncommitted changes, as a content-addressed binary diff. */
export interface CodePin {
  /** Absolute path of the repository on the machine that pinned it. */
  repoRoot: string;
  /** Where the trial's working directory sits inside the repo ('' = the root), POSIX separators. */
  subdir: string;
  /** Name and URL (credentials removed) of the remote the workers fetch from; null for a repo with no remote. */
  remoteName: string | null;
  remote: string | null;
  commit: string;
  /** Branch checked out when pinned; informational only (the commit is the pin). */
  branch: string | null;
  /** The uncommitted changes relative to `commit` (`git diff --binary`); null when the tree is clean. */
  diff: { hash: string; size: number; files: string[] } | null;
  untrackedPolicy: UntrackedPolicy;
  /** Untracked files at pin time: inside `diff` under `include`, left out (and warned about) under `warn`. */
  untracked: string[];
  /** The commit is contained in a remote-tracking branch, so a worker that can reach the remote can fetch it. */
  pushed: boolean;
}

export interface PinnedCode {
  pin: CodePin;
  /** The diff's bytes (store them under `pin.diff.hash`); null when clean. */
  diffBytes: Buffer | null;
  warnings: string[];
}

export interface PinCodeOptions {
  untracked?: UntrackedPolicy;
  /**
   * Which untracked files the `warn` policy warns about: all of them ('repo', default), or only those
   * under the pinned directory ('cwd' — embedded runs, where the trial runs in the tree and sees them anyway).
   */
  warnUnder?: 'repo' | 'cwd';
}

/** Pins the code in `dir`'s repository: HEAD commit, branch, remote, and the working tree's changes. */
export async function pinCode(dir: string, opts: PinCodeOptions = {}): Promise<PinnedCode> {
  const policy = opts.untracked ?? 'warn';
  const cwd = resolve(dir);
  const repoRoot = await gitText(['rev-parse', '--show-toplevel'], { cwd }).catch((err: unknown) => {
    throw new LineageError('NOT_A_REPO', `${cwd} is not inside a git repository`, {
      hint: 'run hyperfleet from a git work tree (git init && git commit) so trials can be pinned to a commit',
      cause: err,
    });
  });
  const commit = await gitText(['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { cwd: repoRoot }).catch(
    (err: unknown) => {
      throw new LineageError('NO_COMMIT', `the repository at ${repoRoot} has no commit yet`, {
        hint: 'commit your code first (git add -A && git commit -m "…")',
        cause: err,
      });
    },
  );
  const branch = (await git(['symbolic-ref', '--short', '-q', 'HEAD'], { cwd: repoRoot, okCodes: [1] })).stdout
    .toString()
    .trim();
  const untracked = splitZ(
    (await git(['ls-files', '--others', '--exclude-standard', '-z', '--', '.', ...NOT_OURS], { cwd: repoRoot })).stdout,
  );
  const warnings: string[] = [];

  let diffBytes: Buffer;
  let files: string[];
  if (policy === 'include' && untracked.length > 0) {
    ({ diffBytes, files } = await diffWithUntracked(repoRoot));
  } else {
    diffBytes = (await git(diffArgs(['HEAD']), { cwd: repoRoot })).stdout;
    files = splitZ((await git(['diff', '--name-only', '-z', 'HEAD'], { cwd: repoRoot })).stdout);
  }
  if (policy === 'refuse' && (diffBytes.length > 0 || untracked.length > 0)) {
    const dirty = [...files, ...untracked.map((f) => `${f} (untracked)`)];
    throw new LineageError(
      'DIRTY_REPO',
      `the repository at ${repoRoot} has uncommitted changes and the untracked policy is "refuse": ${preview(dirty)}`,
      {
        hint: 'commit or stash the changes, or pass --untracked warn|include to pin them as a diff',
        paths: dirty,
      },
    );
  }
  const rel = relative(repoRoot, cwd);
  const subdir = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? '' : rel.split('\\').join('/');
  const warnable =
    opts.warnUnder === 'cwd' && subdir !== '' ? untracked.filter((f) => f.startsWith(`${subdir}/`)) : untracked;
  if (policy === 'warn' && warnable.length > 0) {
    warnings.push(
      `${warnable.length} untracked file(s) are not pinned and will be missing on other machines: ${preview(warnable)} (pass --untracked include to ship them, or add them to .gitignore)`,
    );
  }

  const { remoteName, remote } = await pickRemote(repoRoot, branch || null);
  const containing = await gitText(['for-each-ref', '--contains', commit, '--format=%(refname)', 'refs/remotes'], {
    cwd: repoRoot,
  });
  const pin: CodePin = {
    repoRoot,
    subdir,
    remoteName,
    remote,
    commit,
    branch: branch || null,
    diff: diffBytes.length === 0 ? null : { hash: sha256Address(diffBytes), size: diffBytes.length, files },
    untrackedPolicy: policy,
    untracked,
    pushed: containing.length > 0,
  };
  return { pin, diffBytes: diffBytes.length === 0 ? null : diffBytes, warnings };
}

/** A pin that a worker elsewhere can fetch: refuses an unpushed commit and says what to do instead. */
export function requireReachable(pin: CodePin): void {
  if (pin.remote === null) {
    throw new LineageError(
      'UNPUSHED_COMMIT',
      `the repository at ${pin.repoRoot} has no remote, so workers cannot fetch commit ${pin.commit.slice(0, 12)}`,
      {
        hint: 'add a remote and push (git remote add origin URL && git push), or ship the code as a git bundle (--bundle)',
      },
    );
  }
  if (!pin.pushed) {
    throw new LineageError(
      'UNPUSHED_COMMIT',
      `commit ${pin.commit.slice(0, 12)} is not on any branch of ${pin.remoteName ?? 'the remote'} (${pin.remote}), so workers cannot fetch it`,
      { hint: `push it (git push ${pin.remoteName ?? 'origin'} HEAD), or ship the code as a git bundle (--bundle)` },
    );
  }
}

/** A commit pin must be a full hash: a branch or tag name floats (it means a different commit tomorrow). */
export function assertCommitHash(ref: string): string {
  if (/^[0-9a-f]{40}$/.test(ref) || /^[0-9a-f]{64}$/.test(ref)) return ref;
  throw new LineageError(
    'FLOATING_REF',
    `"${ref}" is a floating ref, not a commit: it may point at different code tomorrow`,
    { hint: `pin the full commit hash instead (git rev-parse ${ref.replace(/[^\w./-]/g, '')})` },
  );
}

/** hyperfleet's own state (store, runs, caches, worktrees) is never part of the pinned code. */
const NOT_OURS = [':(exclude,glob)**/.hyperfleet/**'];

/** Args for a binary-safe diff that ignores the user's diff drivers and colors, so it always applies. */
function diffArgs(extra: string[]): string[] {
  return ['diff', '--binary', '--no-color', '--no-ext-diff', '--no-textconv', '--full-index', ...extra];
}

/** Diff including untracked files, computed through a throwaway index so the user's index is untouched. */
async function diffWithUntracked(repoRoot: string): Promise<{ diffBytes: Buffer; files: string[] }> {
  const tmp = await mkdtemp(join(tmpdir(), 'hf-index-'));
  try {
    const indexPath = resolve(repoRoot, await gitText(['rev-parse', '--git-path', 'index'], { cwd: repoRoot }));
    const tmpIndex = join(tmp, 'index');
    await copyFile(indexPath, tmpIndex).catch(() => undefined); // no index yet: git starts an empty one
    // Keep the index's mtime: git trusts entries older than the index file, so a fresh copy would hide
    // a file modified in the same second as its last `git add` (git's "racy clean" check).
    const st = await stat(indexPath).catch(() => null);
    if (st) await utimes(tmpIndex, st.atime, st.mtime).catch(() => undefined);
    const env = { GIT_INDEX_FILE: tmpIndex };
    await git(['add', '-A', '--', '.', ...NOT_OURS], { cwd: repoRoot, env });
    const diffBytes = (await git(diffArgs(['--cached', 'HEAD']), { cwd: repoRoot, env })).stdout;
    const files = splitZ((await git(['diff', '--cached', '--name-only', '-z', 'HEAD'], { cwd: repoRoot, env })).stdout);
    return { diffBytes, files };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function pickRemote(
  repoRoot: string,
  branch: string | null,
): Promise<{ remoteName: string | null; remote: string | null }> {
  const remotes = (await gitText(['remote'], { cwd: repoRoot })).split('\n').filter(Boolean);
  if (remotes.length === 0) return { remoteName: null, remote: null };
  let name = remotes.includes('origin') ? 'origin' : (remotes[0] ?? 'origin');
  if (branch) {
    const upstream = (await git(['config', '--get', `branch.${branch}.remote`], { cwd: repoRoot, okCodes: [1] })).stdout
      .toString()
      .trim();
    if (upstream && remotes.includes(upstream)) name = upstream;
  }
  const url = await gitText(['remote', 'get-url', name], { cwd: repoRoot });
  return { remoteName: name, remote: redactUrl(url) };
}

function splitZ(buf: Buffer): string[] {
  return buf.toString('utf8').split('\0').filter(Boolean);
}

function preview(items: string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}
