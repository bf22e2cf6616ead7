import { InvalidArgumentError } from 'commander';

/** What every command registration gets: a way to report its exit code. */
export type SetExit = (code: number) => void;

export function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

export function positiveInt(value: string): number {
  const n = int(value);
  if (n < 1) throw new InvalidArgumentError('expected an integer ≥ 1');
  return n;
}

export const STORE_OPTION = [
  '--store <url>',
  'tracking store: a SQLite path or postgres://… (default ./.hyperfleet/hyperfleet.db)',
] as const;
