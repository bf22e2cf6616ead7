// Test helper (not exported): runs real node / python processes with a clean HYPERFLEET_* environment.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SDK_ENTRY_URL = new URL('./index.js', import.meta.url).href;
export const PYTHON_SDK_DIR = fileURLToPath(new URL('../python', import.meta.url));

export interface ScriptResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  args?: string[];
  cwd?: string;
}

/** process.env without HYPERFLEET_* (in case the tests themselves run as a hyperfleet trial), plus `extra`. */
const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('HYPERFLEET_')) env[key] = value;
  return { ...env, ...extra };
};

export const spawnProgram = (command: string, argv: string[], opts: SpawnOptions = {}): ScriptResult => {
  const res = spawnSync(command, [...argv, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: childEnv(opts.env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (res.error) throw res.error;
  return { status: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr };
};

/**
 * Runs an ES module body as a script file under bare `node` (no tsx), with the SDK importable as `sdk`.
 * A file rather than `node -e`, so argv looks like a real script's (`node script.mjs --lr=0.1`).
 */
export const runNode = (body: string, opts: SpawnOptions = {}): ScriptResult => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-sdk-script-'));
  try {
    const script = join(dir, 'script.mjs');
    writeFileSync(script, `import * as sdk from ${JSON.stringify(SDK_ENTRY_URL)};\n${body}\n`);
    return spawnProgram(process.execPath, [script], opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/**
 * The interpreter behind `python3` on PATH, resolved once: a pyenv shim costs ~0.3 s per start, and the
 * python tests start dozens of processes.
 */
export const PYTHON = (() => {
  const res = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return res.status === 0 && res.stdout.trim() !== '' ? res.stdout.trim() : 'python3';
})();

/** Runs a Python snippet with the stdlib SDK importable as `hyperfleet`. */
export const runPython = (code: string, opts: SpawnOptions = {}, python = PYTHON): ScriptResult =>
  spawnProgram(python, ['-c', `import hyperfleet\n${code}`], {
    ...opts,
    env: { PYTHONPATH: PYTHON_SDK_DIR, ...opts.env },
  });

/** A fresh directory per test (removed after it), with the path a trial's metrics file would have there. */
export function scratchDir(prefix: string): { dir: string; metricsFile: string } {
  const scratch = { dir: '', metricsFile: '' };
  beforeEach(() => {
    scratch.dir = mkdtempSync(join(tmpdir(), prefix));
    scratch.metricsFile = join(scratch.dir, 'metrics.jsonl');
  });
  afterEach(() => rmSync(scratch.dir, { recursive: true, force: true }));
  return scratch;
}

/** One line of a metrics file, as the SDKs write it. */
export interface MetricsLine {
  step: number;
  ts: number;
  metrics: Record<string, unknown>;
}

/** A metrics file's lines, parsed; JSON.parse rejects Python's bare NaN/Infinity, so this also proves strict JSON. */
export const readMetricsLines = (file: string): MetricsLine[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as MetricsLine);
