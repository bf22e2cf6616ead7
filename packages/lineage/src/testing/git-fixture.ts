import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A real git repository in a temp dir, for tests: write files, commit, add a `file://` remote. */
export interface GitFixture {
  root: string;
  /** A scratch directory beside the repo (mirrors, caches, remotes), removed by cleanup(). */
  scratch: string;
  git(...args: string[]): string;
  write(path: string, content: string | Buffer): void;
  commit(message: string): string;
  /** Creates a bare repo at scratch/<name>.git, adds it as `name` and pushes HEAD's branch. */
  addRemote(name?: string, push?: boolean): string;
  cleanup(): void;
}

const IDENTITY = [
  '-c',
  'user.name=Hyperfleet Test',
  '-c',
  'user.email=test@hyperfleet.invalid',
  '-c',
  'commit.gpgsign=false',
  '-c',
  'init.defaultBranch=main',
];

export function createGitFixture(
  files: Record<string, string | Buffer> = { 'train.mjs': 'console.log("acc=1")\n' },
): GitFixture {
  const base = mkdtempSync(join(tmpdir(), 'hf-git-'));
  const root = join(base, 'repo');
  const scratch = join(base, 'scratch');
  mkdirSync(root);
  mkdirSync(scratch);
  const run = (cwd: string, args: string[]) =>
    execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const fx: GitFixture = {
    root,
    scratch,
    git: (...args) => run(root, args),
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    commit(message) {
      run(root, ['add', '-A']);
      run(root, ['commit', '-q', '--allow-empty', '-m', message]);
      return run(root, ['rev-parse', 'HEAD']);
    },
    addRemote(name = 'origin', push = true) {
      const bare = join(scratch, `${name}.git`);
      run(scratch, ['init', '-q', '--bare', bare]);
      run(root, ['remote', 'add', name, `file://${bare}`]);
      if (push) run(root, ['push', '-q', name, 'HEAD:refs/heads/main']);
      if (push) run(root, ['fetch', '-q', name]);
      return `file://${bare}`;
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
  run(root, ['init', '-q']);
  for (const [path, content] of Object.entries(files)) fx.write(path, content);
  fx.commit('initial');
  return fx;
}
