import type { SweepRecord, TrackingStore } from '@hyperfleet/store';
import { ApiError } from './api-error';

/** A sweep by id or unique id prefix (as the CLI resolves them). */
export async function resolveSweep(store: TrackingStore, idOrPrefix: string): Promise<SweepRecord> {
  const exact = await store.getSweep(idOrPrefix);
  if (exact) return exact;
  const matches = (await store.listSweeps({ limit: 100_000 })).filter((s) => s.id.startsWith(idOrPrefix));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) {
    throw new ApiError(404, 'NOT_FOUND', `no sweep ${idOrPrefix}`, { hint: 'list sweeps with `hyperfleet sweep ls`' });
  }
  throw new ApiError(409, 'AMBIGUOUS_ID', `${idOrPrefix} matches ${matches.length} sweeps`, {
    hint: 'type more characters of the id',
    details: { matches: matches.slice(0, 20).map((s) => s.id) },
  });
}
