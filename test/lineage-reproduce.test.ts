import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from './helpers/cli';

// A laptop repo: the iris example committed, then an uncommitted change; data pinned with a .dvc file.
let dir: string;
let project: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@t.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd: project,
    encoding: 'utf8',
  }).trim();

beforeAll(() => {
  dir = tempDir('hf-lineage-');
  project = join(dir, 'project');
  cpSync(join(repoRoot, 'examples', 'iris'), join(project, 'iris'), { recursive: true });
  // node_modules beside the repo (ignored): worktrees under .hyperfleet/ resolve @hyperfleet/sdk through it.
  symlinkSync(join(repoRoot, 'node_modules'), join(project, 'node_modules'));
  writeFileSync(join(project, '.gitignore'), 'node_modules\n.hyperfleet/\n');
  const sweep = readFileSync(join(project, 'iris', 'sweep.yaml'), 'utf8');
  writeFileSync(join(project, 'iris', 'sweep.yaml'), `${sweep}\ndata: [iris.csv]\n`);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'iris');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], cwd = project) => runCli(args, { cwd, env: { HYPERFLEET_ACTOR: 'alice@laptop' } });

describe('lineage end to end (embedded mode)', () => {
  let trialId = '';

  it('data add writes a DVC .dvc file and caches the content', async () => {
    const r = await cli(['data', 'add', 'iris/iris.csv']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const md5 = execFileSync('md5sum', [join(project, 'iris', 'iris.csv')], { encoding: 'utf8' }).split(' ')[0];
    expect(readFileSync(join(project, 'iris', 'iris.csv.dvc'), 'utf8')).toContain(`- md5: ${md5}\n`);
    expect(r.stdout).toContain(`iris/iris.csv  ${md5}`);
    // iris.csv is now ignored by git (its .dvc file is the version); commit the .dvc file.
    git('rm', '-q', '--cached', 'iris/iris.csv');
    git('add', '-A');
    git('commit', '-q', '-m', 'track iris.csv with a .dvc file');
  });

  it('run pins commit, dirty diff and data; show <trial> prints the lineage', async () => {
    const train = join(project, 'iris', 'train.mjs');
    writeFileSync(train, `${readFileSync(train, 'utf8')}\n// uncommitted tweak\n`);
    const run = await cli(['run', 'iris/sweep.yaml', '--count', '2', '--parallel', '2']);
    expect(run.code, run.stderr).toBe(0);
    const ls = await cli(['ls']);
    const sweepId = /\b([0-9a-z]{8})\b/.exec(ls.stdout.replace(/\x1b\[[0-9;]*m/g, ''))?.[1] ?? '';
    expect(sweepId, ls.stdout).not.toBe('');
    trialId = `${sweepId}-0`;
    const show = await cli(['show', trialId, '--json']);
    expect(show.code, show.stderr).toBe(0);
    const view = JSON.parse(show.stdout);
    expect(view.lineage.code.commit).toBe(git('rev-parse', 'HEAD'));
    expect(view.lineage.code.diff.files).toEqual(['iris/train.mjs']);
    expect(view.lineage.data).toEqual([expect.objectContaining({ path: 'iris/iris.csv', source: 'dvc-file' })]);
    expect(view.lineage.identity).toMatch(/^sha256:/);
    expect(view.lineage.actor).toBe('alice@laptop');
    const text = await cli(['show', trialId]);
    expect(text.stdout).toMatch(/commit\s+[0-9a-f]{40} \(main\)/);
    expect(text.stdout).toMatch(/diff\s+sha256:/);
    expect(text.stdout).toMatch(/data\s+iris\/iris\.csv/);
  });

  it('reproduce re-runs the trial with the exact pins and gets identical metrics', async () => {
    // The laptop moves on: the committed code changes, the dirty tweak is gone — the pins still hold.
    git('checkout', '-q', '--', 'iris/train.mjs');
    const r = await cli(['reproduce', trialId, '--json']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    expect(out.identical).toBe(true);
    expect(out.match).toBe(true);
    expect(out.metrics.length).toBeGreaterThan(0);
    for (const m of out.metrics) expect(m.reproduced).toBe(m.recorded);
  });

  it('registers a model, moves aliases, prints the lineage chain and the audit log', async () => {
    const runs = join(project, '.hyperfleet', 'runs');
    const sweep = trialId.split('-')[0] ?? '';
    writeFileSync(join(runs, sweep, trialId, 'outputs', 'model.bin'), 'weights');
    const reg = await cli([
      'model',
      'register',
      trialId,
      '--name',
      'iris',
      '--artifact',
      'model.bin',
      '--alias',
      'staging',
    ]);
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout).toContain('registered iris version 1 (staging)');
    const lin = await cli(['lineage', 'iris@staging']);
    expect(lin.code, lin.stderr).toBe(0);
    expect(lin.stdout).toMatch(/model\s+iris version 1 \(staging\)/);
    expect(lin.stdout).toMatch(/registered .* by alice@laptop/);
    expect(lin.stdout).toMatch(/commit\s+[0-9a-f]{40}/);
    expect(lin.stdout).toMatch(/data\s+iris\/iris\.csv/);
    const audit = await cli(['audit', '--json']);
    // Every action someone did, the reproduction before included.
    expect(JSON.parse(audit.stdout).map((e: { type: string }) => e.type)).toEqual([
      'trial.reproduce',
      'model.created',
      'model.version.registered',
      'model.alias.set',
    ]);
  });

  it('bad input: unknown model, dirty repo under refuse, data outside the repo, stale .dvc file', async () => {
    const nope = await cli(['lineage', 'churn@staging']);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/no model named churn \(registered: iris\)/);

    writeFileSync(join(project, 'iris', 'scratch.txt'), 'x');
    const dirty = await cli(['run', 'iris/sweep.yaml', '--count', '1', '--untracked', 'refuse']);
    expect(dirty.code).toBe(2);
    expect(dirty.stderr).toMatch(/uncommitted changes.*iris\/scratch\.txt \(untracked\)/);
    expect(dirty.stderr).toMatch(/hint: commit or stash/);
    rmSync(join(project, 'iris', 'scratch.txt'));

    const outside = await cli(['data', 'add', join(dir, 'elsewhere.csv')]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/outside the repository/);

    const csv = join(project, 'iris', 'iris.csv');
    rmSync(csv, { force: true });
    writeFileSync(csv, 'changed,data\n');
    const stale = await cli(['run', 'iris/sweep.yaml', '--count', '1']);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/hashes to .* but .*iris\.csv\.dvc records/);
    const pulled = await cli(['data', 'pull']);
    expect(pulled.code).toBe(1); // local edits are kept, and said so
    expect(pulled.stderr).toMatch(/kept the local changes to iris\/iris\.csv/);
    const forced = await cli(['data', 'pull', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    const status = await cli(['data', 'status', '--json']);
    expect(JSON.parse(status.stdout)).toEqual([
      expect.objectContaining({ path: 'iris/iris.csv', workspace: 'ok', cache: true }),
    ]);
  });
});
