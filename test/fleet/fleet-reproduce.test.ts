import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../helpers/cli';
import { ADMIN, Fleet, waitFor } from '../helpers/fleet';

// `hyperfleet reproduce <trial> --server`: a laptop submits the iris example (with an uncommitted tweak and
// pinned data) to a real fleet; after the laptop has moved on, the trial runs again on the fleet from its pins
// alone — same commit + diff, same data, same params, same seed — and gives identical metrics.
let dir: string;
let project: string;
let fleet: Fleet;
let shown = { trial: '', reproduction: '', commit: '' };

const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@t.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd: project,
    encoding: 'utf8',
  }).trim();

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, {
    cwd: project,
    env: { HYPERFLEET_TOKEN: ADMIN, HYPERFLEET_DATA_REMOTE: join(dir, 'data-remote'), ...env },
  });

interface TrialBody {
  trial: { id: string; sweepId: string; status: string; seed: number; params: unknown; command: string[] };
  summaries: { key: string; last: number | string }[];
}
interface LineageBody {
  lineage: { identity: string; code: { commit: string; diff: { hash: string } | null }; data: { md5: string }[] };
}

async function submit(file: string): Promise<string> {
  const r = await cli(['sweep', 'submit', file, '--server', fleet.url, '--force', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const id = (JSON.parse(r.stdout) as { sweep: { id: string } }).sweep.id;
  const done = await fleet.waitForSweepEnd(id, 120_000);
  for (const t of done.trials) expect(t.status, JSON.stringify(done)).toBe('succeeded');
  return id;
}

beforeAll(async () => {
  dir = tempDir('hf-fleet-reproduce-');
  project = join(dir, 'laptop', 'project');
  mkdirSync(project, { recursive: true });
  cpSync(join(repoRoot, 'examples', 'iris'), join(project, 'iris'), { recursive: true });
  // The agent's worktrees live under dir/agent-runs: they find @hyperfleet/sdk by walking up to dir/node_modules.
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  const sweep = readFileSync(join(project, 'iris', 'sweep.yaml'), 'utf8')
    .replace(/^run_cap: \d+$/m, 'run_cap: 2')
    .replace('values: [10, 25, 50, 100]', 'values: [10, 25]');
  writeFileSync(join(project, 'iris', 'sweep.yaml'), `${sweep}\ndata: [iris.csv]\n`);
  // A program that is not reproducible: its score is random.
  writeFileSync(join(project, 'iris', 'noisy.mjs'), 'console.log(`score=${Math.random()}`);\n');
  writeFileSync(
    join(project, 'iris', 'noisy.yaml'),
    'method: grid\nmetric: { name: score, goal: maximize }\nprogram: noisy.mjs\nparameters:\n  x: { value: 1 }\n',
  );
  writeFileSync(join(project, '.gitignore'), '.hyperfleet/\n');
  execFileSync('git', ['init', '-q', '--bare', join(dir, 'origin.git')]);
  git('init', '-q');
  git('remote', 'add', 'origin', `file://${join(dir, 'origin.git')}`);
  fleet = new Fleet(dir);
  await fleet.start();
  fleet.startAgent('a', 2);
  await waitFor('the agent', async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === 1);
}, 120_000);

afterAll(async () => {
  await fleet?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reproduce --server', () => {
  it('re-runs an iris trial on the fleet from its pins and gets identical metrics', async () => {
    const add = await cli(['data', 'add', 'iris/iris.csv']);
    expect(add.code, add.stderr).toBe(0);
    const push = await cli(['data', 'push']);
    expect(push.code, push.stderr).toBe(0);
    git('rm', '-q', '--cached', '--ignore-unmatch', 'iris/iris.csv');
    git('add', '-A');
    git('commit', '-q', '-m', 'iris');
    git('push', '-q', 'origin', 'main');
    const train = join(project, 'iris', 'train.mjs');
    writeFileSync(train, `${readFileSync(train, 'utf8')}\n// uncommitted tweak\n`);
    const sweepId = await submit('iris/sweep.yaml');

    // The laptop moves on: the tweak is dropped and the committed code changes; the pins still hold.
    git('checkout', '-q', '--', 'iris/train.mjs');
    writeFileSync(train, `${readFileSync(train, 'utf8')}\n// later work\n`);
    git('commit', '-q', '-am', 'later work');
    git('push', '-q', 'origin', 'main');

    // Trial #1: its seed is not the one a new sweep's first trial would get, so this checks the seed is carried.
    const trialId = `${sweepId}-1`;
    const r = await cli(['reproduce', trialId, '--server', fleet.url, '--json']);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${fleet.logs.slice(-30).join('\n')}`).toBe(0);
    const out = JSON.parse(r.stdout) as {
      reproduction: string;
      identical: boolean;
      match: boolean;
      metrics: { key: string; recorded: number; reproduced: number }[];
    };
    expect(out.identical).toBe(true);
    expect(out.match).toBe(true);
    expect(out.metrics.map((m) => m.key)).toContain('val_acc');
    for (const m of out.metrics) expect(m.reproduced).toBe(m.recorded);

    const before = await fleet.api<TrialBody>(`/api/trials/${trialId}`);
    const after = await fleet.api<TrialBody>(`/api/trials/${out.reproduction}`);
    expect(after.trial.sweepId).not.toBe(sweepId);
    expect(after.trial.seed).toBe(before.trial.seed);
    expect(after.trial.params).toEqual(before.trial.params);
    expect(after.summaries).toEqual(
      before.summaries.map((s) => ({ ...s, trialId: out.reproduction, lastStep: expect.any(Number) })),
    );
    const l0 = await fleet.api<LineageBody>(`/api/trials/${trialId}/lineage`);
    const l1 = await fleet.api<LineageBody>(`/api/trials/${out.reproduction}/lineage`);
    expect(l1.lineage.identity).toBe(l0.lineage.identity);
    expect(l1.lineage.code.commit).toBe(l0.lineage.code.commit);
    expect(l1.lineage.code.diff?.hash).toBe(l0.lineage.code.diff?.hash);
    expect(l1.lineage.data).toEqual(l0.lineage.data);
    // The reproduction's sweep ran exactly one trial.
    const { sweep, trials } = await fleet.sweep(after.trial.sweepId);
    expect(sweep.status).toBe('finished');
    expect(trials).toHaveLength(1);
    shown = { trial: trialId, reproduction: out.reproduction, commit: l0.lineage.code.commit };
  });

  it('prints recorded vs new side by side, exit 1 beyond the tolerance and 0 within it', async () => {
    const sweepId = await submit('iris/noisy.yaml');
    const trialId = `${sweepId}-0`;
    const strict = await cli(['reproduce', trialId, '--server', fleet.url]);
    expect(strict.code, `${strict.stdout}\n${strict.stderr}`).toBe(1);
    expect(strict.stdout).toContain(`reproducing ${trialId} at `);
    expect(strict.stdout).toMatch(/identity\s+same as the original/);
    expect(strict.stdout).toMatch(/metric\s+recorded\s+reproduced\s+\|diff\|/);
    expect(strict.stdout).toMatch(/score\s+0\.\d+\s+0\.\d+\s+\S+ MISMATCH/);
    expect(strict.stdout).toContain('NOT reproduced: metrics differ beyond 1e-9');
    const loose = await cli(['reproduce', trialId, '--server', fleet.url, '--tolerance', '1']);
    expect(loose.code, `${loose.stdout}\n${loose.stderr}`).toBe(0);
    expect(loose.stdout).toMatch(/score\s+0\.\d+\s+0\.\d+\s+\S+ ok/);
    expect(loose.stdout).toContain('reproduced: every metric matches within 1');
  });

  it('show <trial> --server prints the lineage from the API', async () => {
    const json = await cli(['show', shown.reproduction, '--server', fleet.url, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const view = JSON.parse(json.stdout);
    expect(view.trial.id).toBe(shown.reproduction);
    expect(view.lineage.code.commit).toBe(shown.commit);
    expect(view.lineage.code.diff.files).toEqual(['iris/train.mjs']);
    expect(view.lineage.data).toEqual([expect.objectContaining({ path: 'iris/iris.csv', source: 'dvc-file' })]);
    expect(view.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'succeeded' })]);
    expect(view.metrics.map((m: { key: string }) => m.key)).toContain('val_acc');
    const text = await cli(['show', shown.trial, '--server', fleet.url]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`commit\\s+${shown.commit} \\(main\\)`));
    expect(text.stdout).toMatch(/diff\s+sha256:[0-9a-f]{64} \(\d+ B, 1 file\(s\): iris\/train\.mjs\)/);
    expect(text.stdout).toMatch(/data\s+iris\/iris\.csv\s+[0-9a-f]{32}/);
    expect(text.stdout).toMatch(/seed\s+\d+/);
    expect(text.stdout).toMatch(/attempt\s+#1 on \S+: succeeded/);
    expect(text.stdout).toMatch(/metric\s+val_acc last/);
    // A sweep id shows the sweep, as `sweep show` does.
    const sweep = await cli(['show', shown.trial.replace(/-1$/, ''), '--server', fleet.url]);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.stdout).toMatch(/^sweep\s+\S+ \(iris-mlp\)/);
  });

  it('says what is wrong: an unknown trial, a refused token', async () => {
    const missing = await cli(['reproduce', 'nope-0', '--server', fleet.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/trial nope-0/);
    const refused = await cli(['reproduce', 'nope-0', '--server', fleet.url], { HYPERFLEET_TOKEN: 'wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the token');
    expect(refused.stderr).not.toContain('wrong');
  });
});
