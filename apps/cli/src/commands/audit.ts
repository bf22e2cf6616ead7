import { routes } from '@hyperfleet/contract';
import type { EventRecord } from '@hyperfleet/store';
import { EXIT } from '../cli-error';
import type { ServerOptions } from '../fleet/api-client';
import { apiTarget } from '../fleet/api-target';
import { withStore } from '../open-sweep';
import { withLineageErrors } from './lineage-errors';

/**
 * `hyperfleet audit [--model NAME] [--sweep ID]`: the append-only log of who submitted, paused, stopped,
 * registered, promoted, deleted or minted what — from the server (the projects the token reads) or the local store.
 */
export async function auditCommand(
  opts: ServerOptions & { store?: string; model?: string; sweep?: string; limit?: number; json?: boolean },
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(async () => {
    const filter = {
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.sweep ? { sweep: opts.sweep } : {}),
      ...(opts.limit ? { limit: opts.limit } : {}),
    };
    const api = apiTarget(opts);
    const events: EventRecord[] = api
      ? (await api.call(routes.models.audit, {}, { query: filter })).events
      : await withStore(opts.store, (store) =>
          store.listAudit({
            ...(filter.model ? { model: filter.model } : {}),
            ...(filter.sweep ? { sweepId: filter.sweep } : {}),
            ...(filter.limit ? { limit: filter.limit } : {}),
          }),
        );
    if (opts.json) {
      out.write(`${JSON.stringify(events, null, 2)}\n`);
      return EXIT.ok;
    }
    if (events.length === 0) out.write('the audit log is empty\n');
    for (const e of events) {
      out.write(
        `${new Date(e.at).toISOString()}  ${(e.actor ?? '-').padEnd(24)} ${e.type.padEnd(26)} ${describe(e)}\n`,
      );
    }
    return EXIT.ok;
  });
}

function describe(e: EventRecord): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  if (e.type === 'model.alias.set') return `${d.model}@${d.alias} → ${d.version}${d.from ? ` (was ${d.from})` : ''}`;
  if (e.type === 'model.created') return `${d.model}`;
  if (e.type.startsWith('model.')) return `${d.model} version ${d.version}${e.trialId ? ` (trial ${e.trialId})` : ''}`;
  if (e.type.startsWith('token.')) return `${d.token} (${d.role} on ${d.project})`;
  if (e.type.startsWith('agent.')) return `${d.agentId} (pool ${d.pool})`;
  return [e.sweepId && `sweep ${e.sweepId}`, e.trialId && `trial ${e.trialId}`].filter(Boolean).join(', ');
}
