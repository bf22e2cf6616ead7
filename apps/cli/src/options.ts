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

export function nonNegativeInt(value: string): number {
  const n = int(value);
  if (n < 0) throw new InvalidArgumentError('expected an integer ≥ 0');
  return n;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1024,
  k: 1024,
  mb: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  g: 1024 ** 3,
};

/** A size in bytes: `1048576`, `64kb`, `16mb`, `1gb` (binary units). */
export function byteSize(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = UNITS[m?.[2]?.toLowerCase() ?? 'x'];
  if (!m || unit === undefined) throw new InvalidArgumentError('expected a size such as 1048576, 64kb, 16mb or 1gb');
  const n = Math.floor(Number(m[1]) * unit);
  if (n < 1) throw new InvalidArgumentError('expected a size of 1 byte or more');
  return n;
}
