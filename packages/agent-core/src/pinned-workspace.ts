import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DataCache,
  type EnvFingerprint,
  fingerprintEnvironment,
  isLineageError,
  openRemote,
  sha256Address,
} from '@hyperfleet/lineage';
import { materializeTrial } from '@hyperfleet/runner';
import type { JobPins } from '@hyperfleet/transport';

/** Where a pinned trial runs on this agent, and what this machine's environment is. */
export interface PinnedWorkspace {
  cwd: string;
  env: EnvFingerprint;
  cleanup(): Promise<void>;
}

export interface PinnedWorkspaceOptions {
  /** The agent's work dir: mirrors, worktrees, bundles and the data cache live under it. */
  workDir: string;
  /** Unique per attempt (`<trial>.a<n>`): the worktree's directory name. */
  key: string;
  /** Fetches a blob from the controller (the agent's token); null when it has none. */
  getBlob(hash: string): Promise<Buffer | null>;
  /** Interpreter the fingerprint asks for its version (the job's argv[0] when it is a python). */
  python?: string;
  /** The container image the trial runs in (a Kubernetes trial pod's), for the fingerprint. */
  image?: string;
}

/**
 * The submitter's tree for one attempt: a worktree at the pinned commit (from the remote, or the bundle
 * the controller holds), the pinned diff applied, the pinned data linked in by hash.
 */
export async function openPinnedWorkspace(pins: JobPins, opts: PinnedWorkspaceOptions): Promise<PinnedWorkspace> {
  const bundleFile = pins.bundle ? await cachedBundle(pins.bundle, opts) : undefined;
  const remoteUrl = process.env.HYPERFLEET_DATA_REMOTE ?? pins.dataRemote;
  const root = join(opts.workDir, 'worktrees', opts.key);
  const tree = await materializeTrial({
    pins,
    workdir: root,
    mirrorsDir: join(opts.workDir, 'mirrors'),
    getBlob: opts.getBlob,
    ...(bundleFile ? { bundleFile } : {}),
    dataCache: new DataCache(join(opts.workDir, 'data-cache')),
    dataRemote: remoteUrl ? openRemote(remoteUrl, { cwd: opts.workDir }) : null,
  });
  try {
    const env = await fingerprintEnvironment({
      dirs: [root, tree.cwd],
      root,
      ...(opts.python ? { python: opts.python } : {}),
      ...(opts.image ? { image: opts.image } : {}),
    });
    return { cwd: tree.cwd, env, cleanup: tree.cleanup };
  } catch (err) {
    await tree.cleanup();
    throw err;
  }
}

/** Why a pinned trial could not be set up, with the conflicting paths and the hint when there are any. */
export function describeWorkspaceError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!isLineageError(err)) return `could not materialize the pinned code and data: ${message}`;
  return `could not materialize the pinned code and data (${err.code}): ${message}${err.hint ? ` (hint: ${err.hint})` : ''}`;
}

/** Bundles are kept by hash: every slot and attempt of a sweep downloads its bundle once. */
async function cachedBundle(hash: string, opts: PinnedWorkspaceOptions): Promise<string> {
  const dir = join(opts.workDir, 'bundles');
  const file = join(dir, `${hash.replace(/^sha256:/, '')}.bundle`);
  if (
    await stat(file).then(
      () => true,
      () => false,
    )
  )
    return file;
  const bytes = await opts.getBlob(hash);
  if (!bytes) throw new Error(`the controller has no code bundle ${hash}`);
  if (sha256Address(bytes) !== hash)
    throw new Error(`the code bundle downloaded as ${hash} hashes to ${sha256Address(bytes)}`);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
  return file;
}
