import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from './helpers/cli';

// scikit-learn comes from Debian's python3-sklearn, which .ci/run installs; a machine without it says so.
const hasSklearn = spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.skipIf(!hasSklearn)(
  'examples/iris-python runs through hyperfleet with the Python SDK (skipped only where /usr/bin/python3 lacks scikit-learn: apt-get install python3-sklearn)',
  async () => {
    const store = join(dir, 'hyperfleet.db');
    const res = await runCli(['run', 'examples/iris-python/sweep.yaml', '--count', '6', '--store', store], {
      cwd: repoRoot,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/run_cap of 6 trials reached — 6 trials, 0 failed/);
    const best = /best trial \S+: val_acc=([\d.]+)/.exec(res.stdout);
    expect(Number(best?.[1])).toBeGreaterThanOrEqual(0.9);
  },
);
