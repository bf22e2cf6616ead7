/**
 * Embedded overhead: `hyperfleet run` of N trivial trials at parallel 2, against the same N processes
 * under `xargs -P 2`. Target: ratio ≤ 1.3.
 *   node --import tsx bench/embedded-overhead.ts [--trials 200]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '200' } } });
const trials = Number(values.trials);
const root = resolve(import.meta.dirname, '..');
const fixture = join(root, 'bench', 'fixtures', 'trivial.mjs');
const work = mkdtempSync(join(tmpdir(), 'hf-bench-embedded-'));

function time(label: string, run: () => void): number {
  const start = performance.now();
  run();
  const ms = performance.now() - start;
  console.log(`${label.padEnd(28)} ${(ms / 1000).toFixed(2)} s`);
  return ms;
}

try {
  writeFileSync(
    join(work, 'sweep.yaml'),
    [
      'method: random',
      'metric: {name: loss, goal: minimize}',
      `run_cap: ${trials}`,
      'parallel: 2',
      'seed: 1',
      `program: ${fixture}`,
      'parameters:',
      '  x: {min: 0.0, max: 1.0}',
      '',
    ].join('\n'),
  );
  const args = Array.from({ length: trials }, (_, i) => `--x=${(i / trials).toFixed(6)}`).join('\n');
  const xargs = time(`xargs -P 2 (${trials} procs)`, () => {
    execFileSync('xargs', ['-P', '2', '-n', '1', process.execPath, fixture], {
      input: args,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
  });
  const hf = time(`hyperfleet run (${trials} trials)`, () => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'apps/cli/bin/hyperfleet.js'), 'run', 'sweep.yaml', '--store', join(work, 'db.sqlite')],
      {
        cwd: work,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (r.status !== 0) throw new Error(`hyperfleet run exited with ${r.status}`);
  });
  console.log(`ratio hyperfleet / xargs      ${(hf / xargs).toFixed(2)}x  (target ≤ 1.3x)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
