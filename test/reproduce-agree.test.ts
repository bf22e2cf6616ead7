import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli';
import { ADMIN, Fleet, waitFor } from './helpers/fleet';
import { PG_URL } from './helpers/postgres';

// Local `reproduce` runs the trial through the embedded engine, so it agrees with `reproduce --server` and with the
// rest of hyperfleet: on a Postgres store (jsonb hands params back with their keys reordered), on the best value
// of the sweep metric (not its last), and on how a trial ends (a timeout is recorded as one).
let dir: string;
let project: string;

const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@t.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd: project,
    encoding: 'utf8',
  }).trim();

// The metric peaks at step 1 (0.9) and ends lower (0.7): its best by `goal: maximize` is not its last value.
const PEAK = `const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
for (const v of [0.5, 0.9, 0.7]) console.log(\`score=\${v * Number(args.x)}\`);
`;
// Two parameters whose names Postgres jsonb sorts the other way round (shorter keys first).
const PEAK_YAML = `method: grid
metric: { name: score, goal: maximize }
program: peak.mjs
parameters:
  learning_rate: { values: [0.1] }
  x: { values: [1] }
`;
const SLEEPY = "console.log('score=1');\nsetTimeout(() => {}, 30_000);\n";
const SLEEPY_YAML = `method: grid
metric: { name: score, goal: maximize }
program: sleepy.mjs
timeout: 1
parameters:
  x: { values: [1] }
`;

function makeProject(): void {
  project = join(dir, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'peak.mjs'), PEAK);
  writeFileSync(join(project, 'peak.yaml'), PEAK_YAML);
  writeFileSync(join(project, 'sleepy.mjs'), SLEEPY);
  writeFileSync(join(project, 'sleepy.yaml'), SLEEPY_YAML);
  writeFileSync(join(project, '.gitignore'), '.hyperfleet/\n');
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'programs');
}

interface Reproduced {
  reproduction: string;
  identical: boolean;
  match: boolean;
  failure?: string;
  metrics: { key: string; recorded: number; reproduced: number | null; match: boolean }[];
}

/** `reproduce --json` prints a progress line before the JSON. */
const parse = (stdout: string): Reproduced => JSON.parse(stdout.slice(stdout.indexOf('{')));

describe('reproduce on a Postgres store: local and --server agree', () => {
  let fleet: Fleet;
  const cli = (args: string[]) => runCli(args, { cwd: project, env: { HYPERFLEET_TOKEN: ADMIN } });

  beforeAll(async () => {
    dir = tempDir('hf-reproduce-agree-');
    makeProject();
    execFileSync('git', ['init', '-q', '--bare', join(dir, 'origin.git')]);
    git('remote', 'add', 'origin', `file://${join(dir, 'origin.git')}`);
    git('push', '-q', 'origin', 'main');
    fleet = new Fleet(dir);
    await fleet.start();
    fleet.startAgent('a', 1);
    await waitFor('the agent', async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === 1);
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('both say the identity is the same and compare the same best value', async () => {
    const submitted = await cli(['sweep', 'submit', 'peak.yaml', '--server', fleet.url, '--force', '--json']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const sweepId = (JSON.parse(submitted.stdout) as { sweep: { id: string } }).sweep.id;
    const done = await fleet.waitForSweepEnd(sweepId, 120_000);
    expect(done.trials.map((t) => t.status)).toEqual(['succeeded']);
    const trialId = `${sweepId}-0`;
    // The store gives the params back in jsonb's order, not the config's: a command rebuilt from them differs.
    const { trial } = await fleet.api<{ trial: { params: Record<string, unknown> } }>(`/api/trials/${trialId}`);
    expect(Object.keys(trial.params)).toEqual(['x', 'learning_rate']);

    // A server adopts every running sweep of its store, an embedded one too: the local reproduction runs on the
    // same Postgres schema while no server does (and the server's own below, once it is back).
    expect(await fleet.terminateServer(30_000)).not.toBeNull();
    const store = `${PG_URL}?schema=${fleet.schemaName}`;
    const local = await cli(['reproduce', trialId, '--store', store, '--json']);
    expect(local.code, `${local.stdout}\n${local.stderr}`).toBe(0);
    await fleet.startServer();
    const server = await cli(['reproduce', trialId, '--server', fleet.url, '--json']);
    expect(server.code, `${server.stdout}\n${server.stderr}\n${fleet.logs.slice(-30).join('\n')}`).toBe(0);

    const [l, s] = [parse(local.stdout), parse(server.stdout)];
    for (const out of [l, s]) {
      expect(out.identical).toBe(true);
      expect(out.match).toBe(true);
      // The best score by the sweep's goal (0.9 at step 1), not the last one (0.7).
      expect(out.metrics).toEqual([{ key: 'score', recorded: 0.9, reproduced: 0.9, diff: 0, match: true }]);
    }
    expect(l.metrics).toEqual(s.metrics);
    const ranked = await Promise.all(
      [l.reproduction, s.reproduction].map(async (id) => {
        const body = await fleet.api<{ trial: { status: string; metricValue: number } }>(`/api/trials/${id}`);
        return body.trial;
      }),
    );
    expect(ranked).toEqual([
      expect.objectContaining({ status: 'succeeded', metricValue: 0.9 }),
      expect.objectContaining({ status: 'succeeded', metricValue: 0.9 }),
    ]);
  });
});

describe('local reproduce through the engine (SQLite store)', () => {
  const cli = (args: string[]) => runCli(args, { cwd: project });

  beforeAll(() => {
    dir = tempDir('hf-reproduce-local-');
    makeProject();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('run summary, registry tag and reproduce report the same best value', async () => {
    const run = await cli(['run', 'peak.yaml']);
    expect(run.code, run.stderr).toBe(0);
    const best = /best trial (\S+): score=(\S+) \(maximize\)/.exec(run.stdout);
    expect(best, run.stdout).not.toBeNull();
    const [, trialId = '', shown = ''] = best ?? [];
    expect(Number(shown)).toBe(0.9);

    writeFileSync(join(project, 'model.bin'), 'weights');
    const reg = await cli(['model', 'register', trialId, '--name', 'peak', '--artifact', 'model.bin', '--json']);
    expect(reg.code, reg.stderr).toBe(0);
    const version = JSON.parse(reg.stdout) as { tags: { metrics: Record<string, number> } };
    expect(version.tags.metrics.score).toBe(Number(shown));

    const again = await cli(['reproduce', trialId, '--json']);
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    const out = parse(again.stdout);
    expect(out.identical).toBe(true);
    expect(out.metrics).toEqual([{ key: 'score', recorded: 0.9, reproduced: 0.9, diff: 0, match: true }]);
  });

  it('records a timeout as the engine does for every trial', async () => {
    const run = await cli(['run', 'sleepy.yaml']);
    expect(run.code).toBe(1);
    const sweepId = /^sweep (\S+):/m.exec(run.stdout)?.[1];
    expect(sweepId, run.stdout).toBeDefined();
    const original = `${sweepId}-0`;

    const again = await cli(['reproduce', original, '--json']);
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(1);
    const out = parse(again.stdout);
    expect(out.identical).toBe(true);
    expect(out.match).toBe(false);
    expect(out.failure).toMatch(/failed: .*timed out after 1000 ms/);

    const shown = await cli(['show', out.reproduction, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const view = JSON.parse(shown.stdout) as {
      trial: { status: string; reason: string };
      attempts: { status: string; reason: string }[];
    };
    expect(view.trial).toMatchObject({ status: 'failed', reason: expect.stringMatching(/timed out after 1000 ms/) });
    expect(view.attempts).toEqual([
      expect.objectContaining({ status: 'failed', reason: expect.stringMatching(/timed out after 1000 ms/) }),
    ]);
    // The same outcome the original trial got from `run`.
    const first = JSON.parse((await cli(['show', original, '--json'])).stdout) as typeof view;
    expect(first.trial).toMatchObject({ status: 'failed', reason: view.trial.reason });
  });
});
