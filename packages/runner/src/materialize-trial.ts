import type { CodePin, DataCache, DataPin, DataRemote, LinkMode } from '@hyperfleet/lineage';
import { materializeCode } from './materialize-code';
import { materializeData } from './materialize-data';

/** The pins a trial carries to whatever runs it (the local dispatcher, a fleet agent). */
export interface TrialPins {
  code: CodePin | null;
  data: DataPin[];
}

export interface MaterializeTrialOptions {
  pins: TrialPins;
  /** The trial's worktree (created; removed by cleanup()). */
  workdir: string;
  /** Shared cache of bare git mirrors. */
  mirrorsDir: string;
  /** Looks up a content-addressed blob (the pinned diff) — the store, or the controller's API. */
  getBlob(hash: string): Promise<Buffer | null>;
  /** Clone source override (a local repo path, or a URL with credentials that must not be stored). */
  source?: string;
  /** A git bundle holding the commit, when the remote cannot serve it. */
  bundleFile?: string;
  dataCache: DataCache;
  dataRemote?: DataRemote | null;
  link?: LinkMode;
}

export interface MaterializedTrial {
  /** Where the trial's command runs. */
  cwd: string;
  cleanup(): Promise<void>;
}

/** Code then data, for one trial: the worker-side half of pinning. */
export async function materializeTrial(opts: MaterializeTrialOptions): Promise<MaterializedTrial> {
  const { code } = opts.pins;
  if (!code) throw new Error('materializeTrial needs a code pin (this trial was recorded without one)');
  const diff = code.diff ? await opts.getBlob(code.diff.hash) : null;
  const tree = await materializeCode({
    pin: code,
    mirrorsDir: opts.mirrorsDir,
    workdir: opts.workdir,
    diff,
    ...(opts.source ? { source: opts.source } : {}),
    ...(opts.bundleFile ? { bundleFile: opts.bundleFile } : {}),
  });
  try {
    await materializeData({
      pins: opts.pins.data,
      cache: opts.dataCache,
      remote: opts.dataRemote ?? null,
      root: tree.root,
      ...(opts.link ? { link: opts.link } : {}),
    });
  } catch (err) {
    await tree.cleanup();
    throw err;
  }
  return { cwd: tree.cwd, cleanup: tree.cleanup };
}
