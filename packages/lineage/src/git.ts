import { execFile } from 'node:child_process';
import { LineageError } from './lineage-error';
import { redactText } from './redact-url';

export interface GitOptions {
  cwd: string;
  /** Extra environment (GIT_INDEX_FILE, GIT_DIR…); process.env is inherited so credential helpers work. */
  env?: Record<string, string>;
  /** Bytes for stdin. */
  input?: Buffer | string;
  /** Exit codes other than 0 that are not errors (e.g. `merge-base --is-ancestor` answers with 1). */
  okCodes?: number[];
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

const MAX_BUFFER = 1024 * 1024 * 1024;

/** Runs git as an argv array (never a shell). Rejects with GIT_FAILED carrying git's stderr, credentials redacted. */
export function git(args: string[], opts: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: opts.cwd,
        // Never prompt for credentials: a worker has no terminal, a prompt would hang the trial.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...opts.env },
        encoding: 'buffer',
        maxBuffer: MAX_BUFFER,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const err = redactText(stderr.toString('utf8')).trim();
        if (error && !(opts.okCodes ?? []).includes(code)) {
          const what = `git ${args.filter((a) => !a.startsWith('-c')).join(' ')}`;
          reject(
            new LineageError('GIT_FAILED', `${redactText(what)} failed: ${err || redactText(error.message)}`, {
              cause: new Error(err),
            }),
          );
          return;
        }
        resolve({ stdout, stderr: err, code });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** git, returning trimmed stdout text. */
export async function gitText(args: string[], opts: GitOptions): Promise<string> {
  return (await git(args, opts)).stdout.toString('utf8').trim();
}
