import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunTrialOptions } from './types';

/** Test support (not exported from the package): a fresh trial directory and options around it. */
export async function makeTrialDirs(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'hyperfleet-runner-'));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export function trialOptions(root: string, overrides: Partial<RunTrialOptions> = {}): RunTrialOptions {
  return {
    sweepId: 'sweep-1',
    trialId: 'trial-1',
    argv: [process.execPath, '-e', ''],
    cwd: root,
    params: { lr: 0.01, layers: 3, optimizer: 'adam' },
    seed: 42,
    trialDir: join(root, 'trial'),
    killGraceMs: 300,
    ...overrides,
  };
}

/** argv running a Node script (CommonJS, so `require` works). */
export function nodeScript(script: string, ...args: string[]): string[] {
  return [process.execPath, '-e', script, ...args];
}

/** A running (not zombie) process with this pid exists. Read from /proc so zombies do not count. */
export function isRunning(pid: number): boolean {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return false;
  try {
    const stat = readFileSync(path, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
