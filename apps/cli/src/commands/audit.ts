import { EXIT } from '../cli-error';
import { withStore } from '../open-sweep';
import { withLineageErrors } from './lineage-errors';

/** `hyperfleet audit [--model NAME]`: the append-only log of who created, promoted or deleted what. */
export async function auditCommand(
  opts: { store?: string; model?: string; limit?: number; json?: boolean },
  out = process.stdout,
): Promise<number> {
  return withLineageErrors(() =>
    withStore(opts.store, async (store) => {
      const events = await store.models().listAudit({
        ...(opts.model ? { name: opts.model } : {}),
        ...(opts.limit ? { limit: opts.limit } : {}),
      });
      if (opts.json) {
        out.write(`${JSON.stringify(events, null, 2)}\n`);
        return EXIT.ok;
      }
      if (events.length === 0) out.write('the audit log is empty\n');
      for (const e of events) {
        const d = (e.data ?? {}) as Record<string, unknown>;
        const what =
          e.type === 'model.alias.set'
            ? `${d.model}@${d.alias} → ${d.version}${d.from ? ` (was ${d.from})` : ''}`
            : e.type === 'model.created'
              ? `${d.model}`
              : `${d.model} version ${d.version}${e.trialId ? ` (trial ${e.trialId})` : ''}`;
        out.write(`${new Date(e.at).toISOString()}  ${(e.actor ?? '-').padEnd(24)} ${e.type.padEnd(26)} ${what}\n`);
      }
      return EXIT.ok;
    }),
  );
}
