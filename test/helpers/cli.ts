import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const cliBin = join(repoRoot, 'apps', 'cli', 'bin', 'hyperfleet.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'hf-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Spawns the real `hyperfleet` bin (as `npx hyperfleet` would) and collects its output. */
export function startCli(
  args: string[],
  opts: { cwd: string; env?: Record<string, string> },
): {
  child: ChildProcess;
  result: Promise<CliResult>;
} {
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const result = new Promise<CliResult>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
  return { child, result };
}

export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return startCli(args, opts).result;
}
