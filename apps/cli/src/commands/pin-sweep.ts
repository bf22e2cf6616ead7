import { dirname, join } from 'node:path';
import type { SweepConfig } from '@hyperfleet/domain';
import {
  currentActor,
  fingerprintEnvironment,
  isLineageError,
  pinCode,
  pinData,
  type SweepPins,
  type UntrackedPolicy,
} from '@hyperfleet/lineage';
import { dataCacheFor, statCacheFor } from './data-location';
import { withLineageErrors } from './lineage-errors';

/** Where the pinned diff goes: the tracking store (embedded) or the controller's blob API (fleet). */
export type PutBlob = (hash: string, bytes: Buffer) => Promise<void>;

export interface PinSweepOptions {
  untracked?: UntrackedPolicy;
  warn?: (message: string) => void;
}

/**
 * Pins a sweep at submit: the code (commit + diff blob, handed to `putBlob`), the `data:`
 * paths (by hash; content not yet cached is cached), and the environment. Outside a git repo the
 * sweep still runs, without a code pin (and says so) — unless the policy is `refuse`.
 */
export async function pinSweep(
  sweepFile: string,
  config: SweepConfig,
  putBlob: PutBlob,
  opts: PinSweepOptions = {},
): Promise<SweepPins> {
  const dir = dirname(sweepFile);
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  return withLineageErrors(async () => {
    let code: SweepPins['code'] = null;
    let repoRoot = dir;
    try {
      const pinned = await pinCode(dir, { untracked: opts.untracked ?? 'warn', warnUnder: 'cwd' });
      for (const w of pinned.warnings) warn(w);
      if (pinned.diffBytes && pinned.pin.diff) await putBlob(pinned.pin.diff.hash, pinned.diffBytes);
      code = pinned.pin;
      repoRoot = pinned.pin.repoRoot;
    } catch (err) {
      if (!(isLineageError(err, 'NOT_A_REPO') || isLineageError(err, 'NO_COMMIT')) || opts.untracked === 'refuse')
        throw err;
      warn(
        `${err.message}: trials are recorded without a code pin, so \`hyperfleet reproduce\` cannot restore the code`,
      );
    }
    let data: SweepPins['data'] = [];
    if (config.data && config.data.length > 0) {
      const statCache = await statCacheFor(repoRoot);
      data = await pinData(repoRoot, config.data, { cwd: dir, statCache, cache: await dataCacheFor(repoRoot) });
      await statCache.save();
    }
    const env = await fingerprintEnvironment({
      dirs: [repoRoot, dir],
      root: repoRoot,
      image: config.image ?? null,
      ...(typeof config.interpreter === 'string' && /python/.test(config.interpreter)
        ? { python: config.interpreter }
        : {}),
    });
    return { code, data, env, actor: currentActor() };
  });
}

/** Where embedded mode keeps per-trial worktrees and git mirrors: inside the repo's ignored `.hyperfleet/`, so
 * the worktree still sees the repo's installed dependencies (node_modules, a venv) by walking up. */
export function worktreeHome(repoRoot: string): { worktrees: string; mirrors: string } {
  return { worktrees: join(repoRoot, '.hyperfleet', 'worktrees'), mirrors: join(repoRoot, '.hyperfleet', 'mirrors') };
}
