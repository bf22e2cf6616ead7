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

/** Finds a sweep by id or unique id prefix, the way git resolves short hashes. */
export async function findSweep(store: TrackingStore, idOrPrefix: string): Promise<SweepRecord> {
  const exact = await store.getSweep(idOrPrefix);
  if (exact) return exact;
  const matches = (await store.listSweeps({ limit: 100_000 })).filter((s) => s.id.startsWith(idOrPrefix));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) {
    throw new CliError(
      `no sweep ${idOrPrefix} in this store`,
      'list sweeps with `hyperfleet ls` (and check --store)',
      EXIT.usage,
    );
  }
  throw new CliError(
    `${idOrPrefix} matches ${matches.length} sweeps: ${matches.map((s) => s.id).join(', ')}`,
    'type more characters of the id',
    EXIT.usage,
  );
}
