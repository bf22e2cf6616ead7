import type { Kysely, Selectable } from 'kysely';
import type { ApiTokensTable, StoreDatabase } from './db-schema';
import type { StoreBackend } from './store-backend';
import { StoreError } from './store-error';
import type { StoredTokenRecord, TokenStore } from './token-store';
import { encodeJson } from './value-codec';

export class SqlTokenStore implements TokenStore {
  constructor(
    private readonly backend: StoreBackend,
    private readonly db: () => Kysely<StoreDatabase>,
  ) {}

  async create(t: StoredTokenRecord): Promise<void> {
    try {
      await this.db()
        .transaction()
        .execute(async (trx) => {
          await trx
            .insertInto('api_tokens')
            .values({
              id: t.id,
              name: t.name,
              sha256: t.sha256,
              project: t.project,
              role: t.role,
              created_at: t.createdAt,
              created_by: t.createdBy,
              expires_at: t.expiresAt,
              revoked_at: t.revokedAt,
              revoked_by: t.revokedBy,
            })
            .execute();
          await trx
            .insertInto('events')
            .values(auditRow('token.created', t, t.createdBy, t.createdAt, { expiresAt: t.expiresAt }))
            .execute();
        });
    } catch (err) {
      if (this.backend.constraintOf(err) === 'conflict') {
        throw new StoreError('STORE_CONFLICT', `a token named ${t.name} already exists`, { cause: err });
      }
      throw err;
    }
  }

  async findBySha256(sha256: string): Promise<StoredTokenRecord | null> {
    const row = await this.db().selectFrom('api_tokens').selectAll().where('sha256', '=', sha256).executeTakeFirst();
    return row ? toToken(row) : null;
  }

  async list(): Promise<StoredTokenRecord[]> {
    const rows = await this.db().selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map(toToken);
  }

  async revoke(idOrName: string, actor: string | null, at: number): Promise<StoredTokenRecord> {
    const row = await this.db()
      .selectFrom('api_tokens')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    if (!row) throw new StoreError('STORE_NOT_FOUND', `no token with the id or name ${idOrName}`);
    if (row.revoked_at !== null) return toToken(row);
    await this.db()
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable('api_tokens')
          .set({ revoked_at: at, revoked_by: actor })
          .where('id', '=', row.id)
          .execute();
        await trx
          .insertInto('events')
          .values(auditRow('token.revoked', toToken(row), actor, at, {}))
          .execute();
      });
    return { ...toToken(row), revokedAt: at, revokedBy: actor };
  }
}

function auditRow(type: string, t: StoredTokenRecord, actor: string | null, at: number, extra: object) {
  return {
    at,
    sweep_id: null,
    trial_id: null,
    type,
    actor,
    // `*` tokens are fleet-wide: their events are in no one project.
    project: t.project === '*' ? null : t.project,
    data: encodeJson({ token: t.name, id: t.id, project: t.project, role: t.role, ...extra }),
  };
}

function toToken(r: Selectable<ApiTokensTable>): StoredTokenRecord {
  return {
    id: r.id,
    name: r.name,
    sha256: r.sha256,
    project: r.project,
    role: r.role,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    revokedBy: r.revoked_by,
  };
}
