import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SweepConfig } from '@hyperfleet/domain';
import {
  createBundle,
  type DataPin,
  LineageError,
  openRemote,
  pushData,
  requireReachable,
  type SweepPins,
  sha256Address,
  type UntrackedPolicy,
} from '@hyperfleet/lineage';
import { pushProgressBar } from './data';
import { dataCacheFor, remoteUrlFor, sharedRemoteUrl } from './data-location';
import { withLineageErrors } from './lineage-errors';
import { type PutBlob, pinSweep } from './pin-sweep';

/** The pins `sweep submit` sends (the controller's `pins` body): SweepPins plus where agents find code and data. */
export interface FleetPins extends SweepPins {
  bundle: string | null;
  dataRemote: string | null;
}

export interface PinFleetSweepOptions {
  untracked?: UntrackedPolicy;
  /** Ship the commit as a `git bundle` through the controller (for a commit no agent can fetch). */
  bundle?: boolean;
  /** The data remote agents fetch from (default $HYPERFLEET_DATA_REMOTE, then `.dvc/config`'s default). */
  remote?: string;
  /** false: do not upload the pinned data (every agent already has it, e.g. from a remote of its own). */
  push?: boolean;
  /** Where the push draws its progress bar (only when it is a terminal). Default stderr. */
  progress?: NodeJS.WriteStream;
}

/**
 * Pins a sweep for a fleet, on the submitting machine: the same pins as `hyperfleet run` (the diff uploaded
 * with `putBlob`), and a commit the agents can fetch — pushed to the remote, or shipped as a bundle.
 */
export async function pinFleetSweep(
  sweepFile: string,
  config: SweepConfig,
  putBlob: PutBlob,
  opts: PinFleetSweepOptions = {},
): Promise<FleetPins> {
  const pins = await pinSweep(sweepFile, config, putBlob, { untracked: opts.untracked ?? 'warn' });
  const code = pins.code;
  return withLineageErrors(async () => {
    let bundle: string | null = null;
    if (code && opts.bundle) bundle = await uploadBundle(code.repoRoot, code.commit, putBlob);
    else if (code) requireReachable(code);
    const dataRemote =
      pins.data.length > 0 ? await pushPinnedData(code?.repoRoot ?? dirname(sweepFile), pins.data, opts) : null;
    return { ...pins, bundle, dataRemote };
  });
}

/**
 * Uploads the pinned data the remote lacks (agents on other machines fetch it from there by hash) and returns the
 * remote's URL as agents should see it. No remote configured: refused, since no agent elsewhere could get the data.
 */
async function pushPinnedData(repoRoot: string, data: DataPin[], opts: PinFleetSweepOptions): Promise<string | null> {
  const url = await remoteUrlFor(repoRoot, opts.remote);
  if (opts.push === false) return url ? sharedRemoteUrl(repoRoot, url) : null;
  if (!url) {
    const paths = data.map((d) => d.path);
    throw new LineageError(
      'BAD_REMOTE',
      `the sweep pins data (${paths.slice(0, 3).join(', ')}${paths.length > 3 ? `, +${paths.length - 3} more` : ''}), but no data remote is configured, so agents on other machines cannot fetch it`,
      {
        hint: 'configure one — --remote <dir | s3://bucket/prefix>, HYPERFLEET_DATA_REMOTE, or `dvc remote add -d` — and submit again (the data is pushed there first); or pass --no-push when every agent already has this data',
      },
    );
  }
  const remote = openRemote(url, { cwd: repoRoot });
  try {
    const bar = pushProgressBar(remote.url, opts.progress);
    await pushData(
      await dataCacheFor(repoRoot),
      remote,
      data.map((d) => d.md5),
      bar.onProgress ? { onProgress: bar.onProgress } : {},
    ).finally(bar.end);
  } finally {
    await remote.close();
  }
  return sharedRemoteUrl(repoRoot, url);
}

async function uploadBundle(repoRoot: string, commit: string, putBlob: PutBlob): Promise<string> {
  const tmp = await mkdtemp(join(tmpdir(), 'hf-bundle-'));
  try {
    const file = join(tmp, 'code.bundle');
    await createBundle(repoRoot, commit, file);
    const bytes = await readFile(file);
    const hash = sha256Address(bytes);
    await putBlob(hash, bytes);
    return hash;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
