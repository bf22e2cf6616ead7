import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';
import { ADMIN, Fleet, waitFor } from '../helpers/fleet';

// Fleet mode + pinning: a "laptop" repo with uncommitted changes, submitted to a real server; the agent
// (its cwd elsewhere) must run the trial in a worktree rebuilt from the pins, and the record must prove it.
let dir: string;
let project: string;
let fleet: Fleet;
const dataRemote = () => join(dir, 'data-remote');

const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@t.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd: project,
    encoding: 'utf8',
  }).trim();

const train = (base: number) =>
  [
    "import { readFileSync } from 'node:fs';",
    `const base = ${base};`,
    "const data = Number(readFileSync('data.txt', 'utf8').trim());",
    'console.log(`ran in ${process.cwd()}`);',
    'console.log(`score=${base + data}`);',
    '',
  ].join('\n');

const cli = (args: string[]) =>
  runCli(args, {
    cwd: project,
    env: { HYPERFLEET_TOKEN: ADMIN, HYPERFLEET_SERVER: fleet.url, HYPERFLEET_DATA_REMOTE: dataRemote() },
  });

interface Lineage {
  code: { commit: string; diff: { hash: string; files: string[] } | null; subdir: string; pushed: boolean };
  data: { path: string; md5: string }[];
  env: { node: string } | null;
}

async function submitAndWait(args: string[]) {
  const r = await cli(['sweep', 'submit', 'exp/sweep.yaml', '--force', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  const id = (JSON.parse(r.stdout) as { sweep: { id: string } }).sweep.id;
  const { trials } = await fleet.waitForSweepEnd(id, 60_000);
  expect(trials).toHaveLength(1);
  const trial = trials[0] as (typeof trials)[number] & { metricValue: number | null; reason: string | null };
  const { lineage } = await fleet.api<{ lineage: Lineage }>(`/api/trials/${trial.id}/lineage`);
  const logs = await fleet.api<{ chunks: string[] }>(`/api/trials/${trial.id}/logs`);
  return { trial, lineage, log: logs.chunks.join('') };
}

beforeAll(async () => {
  dir = tempDir('hf-fleet-lineage-');
  project = join(dir, 'laptop', 'project');
  mkdirSync(join(project, 'exp'), { recursive: true });
  execFileSync('git', ['init', '-q', '--bare', join(dir, 'origin.git')]);
  writeFileSync(join(project, '.gitignore'), '.hyperfleet/\n');
  writeFileSync(join(project, 'exp', 'train.mjs'), train(1));
  writeFileSync(
    join(project, 'exp', 'sweep.yaml'),
    'method: grid\nmetric: { name: score, goal: maximize }\nprogram: train.mjs\nparameters:\n  x: { value: 1 }\ndata: [data.txt]\n',
  );
  writeFileSync(join(project, 'exp', 'data.txt'), '7\n');
  git('init', '-q');
  git('remote', 'add', 'origin', `file://${join(dir, 'origin.git')}`);
  fleet = new Fleet(dir);
  await fleet.start();
  fleet.startAgent('a');
  await waitFor('the agent', async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === 1);
});

afterAll(async () => {
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet mode with pinned code and data', () => {
  it('runs a laptop’s uncommitted change on a remote agent with the pinned data, and records it', async () => {
    const add = await cli(['data', 'add', 'exp/data.txt']);
    expect(add.code, add.stderr).toBe(0);
    const push = await cli(['data', 'push']);
    expect(push.code, push.stderr).toBe(0);
    git('add', '-A');
    git('commit', '-q', '-m', 'experiment');
    git('push', '-q', 'origin', 'main');
    // The uncommitted change: committed code would score 1 + 7.
    writeFileSync(join(project, 'exp', 'train.mjs'), train(100));

    const { trial, lineage, log } = await submitAndWait([]);
    expect(trial.status, JSON.stringify(trial)).toBe('succeeded');
    expect(trial.metricValue).toBe(107);
    // It ran in a worktree under the agent's work dir, not in the laptop repo.
    expect(log).toMatch(new RegExp(`ran in ${join(dir, 'agent-runs', 'a', 'worktrees')}/[^/]+/exp`));
    expect(log).not.toContain(`ran in ${project}`);

    expect(lineage.code.commit).toBe(git('rev-parse', 'HEAD'));
    expect(lineage.code.subdir).toBe('exp');
    expect(lineage.code.diff?.files).toEqual(['exp/train.mjs']);
    const diff = Buffer.from(
      await (
        await fetch(`${fleet.url}/api/blobs/${lineage.code.diff?.hash}`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        })
      ).arrayBuffer(),
    );
    expect(`sha256:${createHash('sha256').update(diff).digest('hex')}`).toBe(lineage.code.diff?.hash);
    expect(diff.toString()).toContain('+const base = 100;');
    const md5 = createHash('md5').update('7\n').digest('hex');
    expect(lineage.data).toEqual([expect.objectContaining({ path: 'exp/data.txt', md5 })]);
    expect(lineage.env?.node).toBe(process.version);
    // The worktree is gone after the trial.
    expect(readdirSync(join(dir, 'agent-runs', 'a', 'worktrees'))).toEqual([]);
  });

  it('refuses an unpushed commit with the --bundle hint, and runs it with --bundle', async () => {
    git('commit', '-q', '-a', '-m', 'unpushed tweak'); // base = 100, on no remote branch
    const refused = await cli(['sweep', 'submit', 'exp/sweep.yaml', '--force']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not on any branch of origin');
    expect(refused.stderr).toContain('--bundle');

    const { trial, lineage } = await submitAndWait(['--bundle']);
    expect(trial.status, JSON.stringify(trial)).toBe('succeeded');
    expect(trial.metricValue).toBe(107);
    expect(lineage.code).toMatchObject({ commit: git('rev-parse', 'HEAD'), pushed: false, diff: null });
    // The commit is still on no remote: a reproduction on the fleet gets the code from the same bundle.
    const again = await cli(['reproduce', trial.id, '--server', fleet.url, '--json']);
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      identical: true,
      match: true,
      metrics: [{ key: 'score', recorded: 107, reproduced: 107 }],
    });
  });

  it('sweep submit pushes the pinned data to the remote first, and refuses when there is none', async () => {
    writeFileSync(join(project, 'exp', 'data.txt'), '40\n'); // new data, pinned by hashing: in no remote yet
    rmSync(join(project, 'exp', 'data.txt.dvc'));
    git('add', '-A');
    git('commit', '-q', '-m', 'new data');
    git('push', '-q', 'origin', 'main');
    const none = await runCli(['sweep', 'submit', 'exp/sweep.yaml', '--force'], {
      cwd: project,
      env: { HYPERFLEET_TOKEN: ADMIN, HYPERFLEET_SERVER: fleet.url, HYPERFLEET_DATA_REMOTE: '' },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('the sweep pins data (exp/data.txt), but no data remote is configured');
    expect(none.stderr).toMatch(/hint: configure one — --remote .*HYPERFLEET_DATA_REMOTE/);

    const fresh = join(dir, 'fresh-remote');
    const { trial, lineage } = await submitAndWait(['--remote', fresh]);
    expect(trial.status, JSON.stringify(trial)).toBe('succeeded');
    expect(trial.metricValue).toBe(100 + 40);
    const md5 = createHash('md5').update('40\n').digest('hex');
    expect(lineage.data).toEqual([expect.objectContaining({ path: 'exp/data.txt', md5, source: 'hashed' })]);
    // The agent could only have got it from there (nothing else holds this version).
    expect(readdirSync(join(fresh, 'files', 'md5', md5.slice(0, 2)))).toEqual([md5.slice(2)]);
  });

  it('refuses a blob whose bytes do not match its hash', async () => {
    const hash = `sha256:${createHash('sha256').update('x').digest('hex')}`;
    const res = await fetch(`${fleet.url}/api/blobs/${hash}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/octet-stream' },
      body: 'y',
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('HASH_MISMATCH');
  });
});
