import type { SweepRecord, TrackingStore } from '@hyperfleet/store';
import { ApiError } from './api-error';

// An ambiguous prefix lists this many of its sweeps.
const SHOWN_MATCHES = 20;

/** A sweep by id or unique id prefix (as the CLI resolves them). */
export async function resolveSweep(store: TrackingStore, idOrPrefix: string): Promise<SweepRecord> {
  const exact = await store.getSweep(idOrPrefix);
  if (exact) return exact;
  const matches = await store.findSweepsByIdPrefix(idOrPrefix, SHOWN_MATCHES + 1);
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) {
    throw new ApiError(404, 'NOT_FOUND', `no sweep ${idOrPrefix}`, { hint: 'list sweeps with `hyperfleet sweep ls`' });
  }
  const count = matches.length > SHOWN_MATCHES ? `more than ${SHOWN_MATCHES}` : `${matches.length}`;
  throw new ApiError(409, 'AMBIGUOUS_ID', `${idOrPrefix} matches ${count} sweeps`, {
    hint: 'type more characters of the id',
    details: { matches: matches.slice(0, SHOWN_MATCHES).map((s) => s.id) },
  });
}
