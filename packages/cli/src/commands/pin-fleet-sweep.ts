import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createBundle,
  requireReachable,
  type SweepPins,
  sha256Address,
  type UntrackedPolicy,
} from '@hyperfleet/lineage';
import type { SweepConfig } from '@hyperfleet/spec';
import { sharedRemoteUrl } from './data-location';
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
    const dataRemote = pins.data.length > 0 ? await sharedRemoteUrl(code?.repoRoot ?? dirname(sweepFile)) : null;
    return { ...pins, bundle, dataRemote };
  });
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
