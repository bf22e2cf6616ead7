import type { TrialLineage } from '@hyperfleet/lineage';
import type { Kysely } from 'kysely';
import type { StoreDatabase } from './db-schema';
import type { LineageStore } from './lineage-store';
import type { StoreBackend } from './store-backend';
import { StoreError } from './store-error';
import { decodeJson, encodeJson } from './value-codec';

export class SqlLineageStore implements LineageStore {
  constructor(
    private readonly backend: StoreBackend,
    private readonly db: () => Kysely<StoreDatabase>,
  ) {}

  async putBlob(hash: string, bytes: Buffer): Promise<void> {
    await this.db()
      .insertInto('blobs')
      .values({ hash, size: bytes.length, bytes, created_at: Date.now() })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
  }

  async getBlob(hash: string): Promise<Buffer | null> {
    const row = await this.db().selectFrom('blobs').select('bytes').where('hash', '=', hash).executeTakeFirst();
    return row ? Buffer.from(row.bytes) : null;
  }

  async recordLineage(l: TrialLineage): Promise<void> {
    const row = { sweep_id: l.sweepId, identity: l.identity, record: encodeJson(l), created_at: l.createdAt };
    try {
      await this.db()
        .insertInto('trial_lineage')
        .values({ trial_id: l.trialId, ...row })
        .onConflict((oc) => oc.column('trial_id').doUpdateSet(row))
        .execute();
    } catch (err) {
      if (this.backend.constraintOf(err) === 'missing-parent') {
        throw new StoreError('STORE_NOT_FOUND', `cannot record lineage of trial ${l.trialId}: no such trial`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async getLineage(trialId: string): Promise<TrialLineage | null> {
    const row = await this.db()
      .selectFrom('trial_lineage')
      .select('record')
      .where('trial_id', '=', trialId)
      .executeTakeFirst();
    return row ? (decodeJson(row.record, this.backend.jsonParsed) as TrialLineage) : null;
  }

  async findTrialsByIdentity(identity: string): Promise<string[]> {
    const rows = await this.db()
      .selectFrom('trial_lineage')
      .select('trial_id')
      .where('identity', '=', identity)
      .orderBy('created_at')
      .orderBy('trial_id')
      .execute();
    return rows.map((r) => r.trial_id);
  }

  async listPinnedData(): Promise<string[]> {
    const rows = await this.db().selectFrom('trial_lineage').select('record').execute();
    const out = new Set<string>();
    for (const r of rows) {
      for (const d of (decodeJson(r.record, this.backend.jsonParsed) as TrialLineage).data) out.add(d.md5);
    }
    return [...out];
  }
}
