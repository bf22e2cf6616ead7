import { getSystemErrorMap } from 'node:util';

const HINT = 'check `program`/`command` in the sweep config';

/**
 * The OS error of a failed spawn in words, with what to do:
 * "spawn ./nope ENOENT: no such file or directory — check `program`/`command` in the sweep config".
 */
export function describeSpawnError(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  const message = err?.message ?? String(error);
  const text = typeof err?.errno === 'number' ? getSystemErrorMap().get(err.errno)?.[1] : undefined;
  return text ? `${message}: ${text} — ${HINT}` : `${message} — ${HINT}`;
}
