import { rm } from 'node:fs/promises';
import { git, gitText } from './git';
import { LineageError } from './lineage-error';

/** The ref a bundle carries its commit under, so the receiver can fetch it by name. */
export function bundleRef(commit: string): string {
  return `refs/hyperfleet/pins/${commit}`;
}

export interface CreateBundleOptions {
  /** Commits the receiver already has (e.g. what the remote has): left out to keep the bundle small. */
  exclude?: string[];
}

/**
 * Writes a `git bundle` with `commit` and its history to `outFile`, for workers that cannot reach the
 * repo's remote (a laptop repo): the controller stores it and the worker applies it to its mirror.
 * A temporary ref names the commit (a bundle of a bare hash would be empty); it is removed afterwards.
 */
export async function createBundle(
  repoRoot: string,
  commit: string,
  outFile: string,
  opts: CreateBundleOptions = {},
): Promise<void> {
  const ref = bundleRef(commit);
  await git(['update-ref', ref, commit], { cwd: repoRoot });
  try {
    await rm(outFile, { force: true });
    await git(['bundle', 'create', '-q', outFile, ref, ...(opts.exclude ?? []).map((c) => `^${c}`)], {
      cwd: repoRoot,
    });
  } finally {
    await git(['update-ref', '-d', ref], { cwd: repoRoot }).catch(() => undefined);
  }
}

/**
 * Fetches a bundle's commit into `repoDir` (a bare mirror or any repo) and checks that `commit` is there.
 * Fails with the missing prerequisite commits when the bundle was cut against history the repo lacks.
 */
export async function applyBundle(repoDir: string, bundleFile: string, commit: string): Promise<void> {
  try {
    await git(['bundle', 'verify', '-q', bundleFile], { cwd: repoDir });
  } catch (err) {
    throw new LineageError(
      'GIT_FAILED',
      `the code bundle for ${commit.slice(0, 12)} cannot be applied here: ${(err as Error).message}`,
      {
        hint: 'the bundle needs commits this repository lacks; create it without --exclude, or fetch the remote first',
        cause: err,
      },
    );
  }
  await git(['fetch', '-q', bundleFile, `+refs/hyperfleet/*:refs/hyperfleet/*`], { cwd: repoDir });
  const found = await gitText(['cat-file', '-t', commit], { cwd: repoDir }).catch(() => '');
  if (found !== 'commit') {
    throw new LineageError('GIT_FAILED', `the code bundle does not contain commit ${commit}`, {
      hint: 'create the bundle from the pinned commit (createBundle(repo, commit, file))',
    });
  }
}
