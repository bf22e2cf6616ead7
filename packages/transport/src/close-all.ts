/** Rejects with a timeout error unless `work` settles within `ms`; the timer never keeps the process alive. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every cleanup (in parallel, each bounded by `timeoutMs`) even if some throw or hang, then
 * throws an AggregateError naming the ones that failed.
 */
export async function closeAll(
  what: string,
  cleanups: Array<() => Promise<unknown> | unknown>,
  timeoutMs: number,
): Promise<void> {
  const results = await Promise.allSettled(
    cleanups.map((fn) => withTimeout(Promise.resolve().then(fn), timeoutMs, `closing ${what}`)),
  );
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length > 0) throw new AggregateError(errors, `closing ${what}: ${errors.length} cleanup(s) failed`);
}

/** Makes `close` idempotent: every call returns the first call's promise. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}
