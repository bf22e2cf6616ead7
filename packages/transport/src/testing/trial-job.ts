import type { TrialJob } from '../ports';

/** A minimal valid job for tests. */
export function trialJob(trialId: string, over: Partial<TrialJob> = {}): TrialJob {
  return {
    sweepId: 'sweep1',
    trialId,
    attempt: 1,
    pool: 'default',
    argv: ['node', 'train.js', `--id=${trialId}`],
    params: { lr: 0.01, layers: [1, 2], name: 'ünï' },
    seed: 7,
    cwd: '/tmp',
    ...over,
  };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
