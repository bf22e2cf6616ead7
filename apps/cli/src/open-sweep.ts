import type { SweepRecord, TrackingStore } from '@hyperfleet/store';
import { openStore } from '@hyperfleet/store';
import { CliError, EXIT } from './cli-error';
import { resolveStoreUrl } from './store-location';

/** Opens the store for a read command; `use` runs with it and the store is closed afterwards. */
export async function withStore<T>(flag: string | undefined, use: (store: TrackingStore) => Promise<T>): Promise<T> {
  const store = await openStore(resolveStoreUrl(flag));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

// An ambiguous prefix lists this many of its sweeps.
const SHOWN_MATCHES = 20;

/** Finds a sweep by id or unique id prefix, the way git resolves short hashes. */
export async function findSweep(store: TrackingStore, idOrPrefix: string): Promise<SweepRecord> {
  const exact = await store.getSweep(idOrPrefix);
  if (exact) return exact;
  const matches = await store.findSweepsByIdPrefix(idOrPrefix, SHOWN_MATCHES + 1);
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) {
    throw new CliError(
      `no sweep ${idOrPrefix} in this store`,
      'list sweeps with `hyperfleet ls` (and check --store)',
      EXIT.usage,
    );
  }
  const shown = matches.slice(0, SHOWN_MATCHES).map((s) => s.id);
  const count = matches.length > SHOWN_MATCHES ? `more than ${SHOWN_MATCHES}` : `${matches.length}`;
  throw new CliError(
    `${idOrPrefix} matches ${count} sweeps: ${shown.join(', ')}${matches.length > SHOWN_MATCHES ? ', …' : ''}`,
    'type more characters of the id',
    EXIT.usage,
  );
}
