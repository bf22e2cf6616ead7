import type { UntrackedPolicy } from '@hyperfleet/lineage';
import { InvalidArgumentError } from 'commander';

/** Parses `--untracked refuse|warn|include`. */
export function untrackedPolicy(value: string): UntrackedPolicy {
  if (value === 'refuse' || value === 'warn' || value === 'include') return value;
  throw new InvalidArgumentError('expected refuse, warn or include');
}
