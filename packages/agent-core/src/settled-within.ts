import { type AgentLogger, describeError } from './agent-logger';

/** True when `work()` settles within `ms` (Infinity = wait for it). */
export async function settledWithin(work: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    // setTimeout(Infinity) would fire at once.
    if (Number.isFinite(ms)) timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work().then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A named cleanup step of a shutdown. */
export type CleanupStep = [name: string, step: () => Promise<unknown> | undefined];

/** Runs every step in order, each bounded by `boundMs`, even when one throws or hangs (that is logged). */
export async function runCleanups(steps: CleanupStep[], log: AgentLogger, boundMs = 5_000): Promise<void> {
  for (const [name, step] of steps) {
    try {
      if (!(await settledWithin(async () => step(), boundMs))) log('warn', `closing the ${name} timed out`);
    } catch (error) {
      log('warn', `closing the ${name} failed: ${describeError(error)}`);
    }
  }
}
