import { ApiClient, type ServerOptions } from './api-client';

/**
 * The server a registry/lineage/audit command talks to: `--server` or $HYPERFLEET_SERVER, unless `--store` names
 * a store to open directly (embedded mode, or an operator with database access). null: open the store.
 */
export function apiTarget(opts: ServerOptions & { store?: string }): ApiClient | null {
  if (opts.store !== undefined) return null;
  return opts.server !== undefined || process.env.HYPERFLEET_SERVER ? new ApiClient(opts) : null;
}
