import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, runCli, tempDir } from './helpers/cli';

// `hyperfleet data push` on a terminal draws a progress bar (on a real pseudo-terminal from Python's pty
// module); into a pipe it prints only the summary line. `.dvcignore` rules reach `data status` and `data add`.
let dir: string;
let project: string;

beforeAll(() => {
  dir = tempDir('hf-data-push-');
  project = join(dir, 'project');
  mkdirSync(join(project, 'data', 'images'), { recursive: true });
  writeFileSync(join(project, 'data', 'train.csv'), 'a,b\n1,2\n'.repeat(50_000));
  for (let i = 0; i < 5; i++) writeFileSync(join(project, 'data', 'images', `${i}.bin`), Buffer.alloc(1000 + i, i));
  execFileSync('git', ['init', '-q'], { cwd: project });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data push progress, .dvcignore', () => {
  it('draws a progress bar on a terminal, and only the summary into a pipe', async () => {
    const add = await runCli(['data', 'add', 'data/train.csv', 'data/images'], { cwd: project });
    expect(add.code, add.stderr).toBe(0);

    const remote = join(dir, 'remote-tty');
    // pty.spawn runs the argv on a new pseudo-terminal and copies what it writes to our stdout.
    const tty = spawnSync(
      'python3',
      ['-c', 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)', process.execPath, cliBin, 'data', 'push'],
      { cwd: project, env: { ...process.env, NO_COLOR: '1', HYPERFLEET_DATA_REMOTE: remote }, encoding: 'utf8' },
    );
    expect(tty.status, tty.stdout + tty.stderr).toBe(0);
    // 5 image files + the directory listing + train.csv = 7 objects, redrawn in place.
    expect(tty.stdout).toMatch(/\rpushing to \S+remote-tty \[░{24}\] 0\/7 object\(s\), 0 B of \d+\.\d KiB/);
    expect(tty.stdout).toMatch(/\rpushing to \S+remote-tty \[█{24}\] 7\/7 object\(s\), (\d+\.\d KiB) of \1/);
    expect(tty.stdout).toMatch(
      /7\/7 object\(s\)[^\r\n]*\r?\n[\s\S]*pushed 7 object\(s\) to \S+remote-tty, 0 already there/,
    );

    const piped = await runCli(['data', 'push', '--remote', join(dir, 'remote-pipe')], { cwd: project });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(/^pushed 7 object\(s\) to \S+remote-pipe, 0 already there\n$/);
  });

  it('data status and data add honour .dvcignore (a new pattern reads as deleted files)', async () => {
    const before = await runCli(['data', 'status', '--json'], { cwd: project });
    expect(before.code, before.stderr).toBe(0);
    writeFileSync(join(project, '.dvcignore'), '# scratch output\nimages/3.bin\n');
    // Relative to the .dvcignore's directory (the root): this pattern names no path, nothing changes.
    const unchanged = await runCli(['data', 'status', '--json'], { cwd: project });
    expect(unchanged.code, unchanged.stdout).toBe(0);
    writeFileSync(join(project, '.dvcignore'), '# scratch output\ndata/images/3.bin\n');
    const status = await runCli(['data', 'status', '--json'], { cwd: project });
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'data/images', workspace: 'modified' })]),
    );
    const add = await runCli(['data', 'add', 'data/images', '--json'], { cwd: project });
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toEqual([expect.objectContaining({ path: 'data/images', nfiles: 4 })]);
    const ignored = await runCli(['data', 'add', 'data/images/3.bin'], { cwd: project });
    expect(ignored.code).toBe(2);
    expect(ignored.stderr).toContain('is ignored by a .dvcignore file');
    expect((await runCli(['data', 'status'], { cwd: project })).code).toBe(0);
  });
});
