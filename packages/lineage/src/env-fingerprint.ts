import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { arch, platform, release } from 'node:os';
import { join } from 'node:path';
import { sha256Address } from './content-hash';

/** What the trial's software environment was: runtimes, lockfile hashes, image digest, GPUs. */
export interface EnvFingerprint {
  os: string;
  node: string;
  python: string | null;
  /** Lockfile path (relative to the repo root) → `sha256:…` of its bytes. */
  lockfiles: Record<string, string>;
  /** `repo@sha256:…` when the trial runs in a pinned image, else the image as configured (or null). */
  image: string | null;
  gpus: Array<{ name: string; driver: string }>;
}

const LOCKFILES =
  /^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|requirements.*\.txt|poetry\.lock|uv\.lock|Pipfile\.lock|environment\.ya?ml|conda-lock\.ya?ml)$/;

export interface FingerprintOptions {
  /** Directories whose lockfiles count (repo root, the sweep's directory). */
  dirs: string[];
  /** Paths in `lockfiles` are relative to this. */
  root: string;
  /** Python to ask for its version (the sweep's interpreter). Default python3. */
  python?: string;
  /** Container image from the config. */
  image?: string | null;
}

export async function fingerprintEnvironment(opts: FingerprintOptions): Promise<EnvFingerprint> {
  const lockfiles: Record<string, string> = {};
  for (const dir of [...new Set(opts.dirs)]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => LOCKFILES.test(n)).sort()) {
      const full = join(dir, name);
      const rel = full.startsWith(`${opts.root}/`) ? full.slice(opts.root.length + 1) : full;
      const bytes = await readFile(full).catch(() => null);
      if (bytes) lockfiles[rel] = sha256Address(bytes);
    }
  }
  const [python, gpus] = await Promise.all([
    run(opts.python ?? 'python3', ['--version']).then((v) => v?.replace(/^Python\s+/i, '') ?? null),
    run('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader']).then((out) =>
      (out ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [name = '', driver = ''] = l.split(',').map((s) => s.trim());
          return { name, driver };
        }),
    ),
  ]);
  return {
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    python,
    lockfiles,
    image: process.env.HYPERFLEET_IMAGE_DIGEST ?? opts.image ?? null,
    gpus,
  };
}

/** stdout of a short command, or null when it is missing or fails (no python, no GPU). */
function run(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve(err ? null : (stdout || stderr).trim());
    });
  });
}
