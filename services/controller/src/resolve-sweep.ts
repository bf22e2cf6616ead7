import type { SweepRecord, TrackingStore } from '@hyperfleet/store';
import { ApiError } from './api-error';
import { type Principal, readableProjects, roleOn } from './principal';

// An ambiguous prefix lists this many of its sweeps.
const SHOWN_MATCHES = 20;

export function sweepNotFound(idOrPrefix: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', `no sweep ${idOrPrefix}`, { hint: 'list sweeps with `hyperfleet sweep ls`' });
}

/**
 * A sweep by id or unique id prefix (as the CLI resolves them), among the sweeps `caller` can see: another
 * project's sweeps neither match nor make a prefix ambiguous. The caller still checks the role it needs.
 */
export async function resolveSweep(store: TrackingStore, idOrPrefix: string, caller: Principal): Promise<SweepRecord> {
  const exact = await store.getSweep(idOrPrefix);
  if (exact && roleOn(caller, exact.project) !== null) return exact;
  const projects = readableProjects(caller);
  const matches = await store.findSweepsByIdPrefix(idOrPrefix, SHOWN_MATCHES + 1, projects ? { projects } : {});
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) throw sweepNotFound(idOrPrefix);
  const count = matches.length > SHOWN_MATCHES ? `more than ${SHOWN_MATCHES}` : `${matches.length}`;
  throw new ApiError(409, 'AMBIGUOUS_ID', `${idOrPrefix} matches ${count} sweeps`, {
    hint: 'type more characters of the id',
    details: { matches: matches.slice(0, SHOWN_MATCHES).map((s) => s.id) },
  });
}
