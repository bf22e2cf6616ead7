import type { Kysely, Selectable, Transaction } from 'kysely';
import type { StoreDatabase } from './db-schema';
import type { ModelVersionsTable } from './db-schema-lineage';
import type {
  AUDIT_EVENT_TYPES,
  ModelRecord,
  ModelRegistry,
  ModelVersionRecord,
  RegisterModelInput,
} from './lineage-store';
import type { ProjectScope } from './project-scope';
import type { StoreBackend } from './store-backend';
import { StoreError } from './store-error';
import { decodeJson, encodeJson } from './value-codec';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class SqlModelRegistry implements ModelRegistry {
  constructor(
    private readonly backend: StoreBackend,
    private readonly db: () => Kysely<StoreDatabase>,
  ) {}

  async register(input: RegisterModelInput): Promise<ModelVersionRecord> {
    checkName('model name', input.name);
    for (const a of input.aliases ?? []) checkAlias(a);
    // Two registrations racing for the same next version: the loser's insert conflicts; try again.
    for (let attempt = 0; ; attempt++) {
      try {
        const version = await this.db()
          .transaction()
          .execute(async (trx) => {
            const model = await trx
              .selectFrom('models')
              .select(['name', 'project'])
              .where('name', '=', input.name)
              .executeTakeFirst();
            if (!model) {
              await trx
                .insertInto('models')
                .values({ name: input.name, created_at: input.at, created_by: input.actor, project: input.project })
                .execute();
              await audit(trx, input.at, input.actor, input.project, 'model.created', null, { model: input.name });
            } else if (model.project !== input.project) {
              // A name is one model in one project: a version from another team's trial would leak into it.
              throw new StoreError(
                'STORE_CONFLICT',
                `model ${input.name} belongs to project ${model.project}, and trial ${input.trialId} to ${input.project}`,
              );
            }
            const max = await trx
              .selectFrom('model_versions')
              .select((eb) => eb.fn.max<number>('version').as('v'))
              .where('name', '=', input.name)
              .executeTakeFirst();
            const v = Number(max?.v ?? 0) + 1;
            await trx
              .insertInto('model_versions')
              .values({
                name: input.name,
                version: v,
                trial_id: input.trialId,
                artifact_hash: input.artifact.hash,
                artifact_size: input.artifact.size,
                artifact_uri: input.artifact.uri,
                tags: encodeJson(input.tags),
                created_at: input.at,
                created_by: input.actor,
                deleted_at: null,
                deleted_by: null,
              })
              .execute();
            await audit(trx, input.at, input.actor, input.project, 'model.version.registered', input.trialId, {
              model: input.name,
              version: v,
              artifact: input.artifact.hash,
            });
            for (const alias of input.aliases ?? [])
              await moveAlias(trx, input.project, input.name, alias, v, input.actor, input.at);
            return v;
          });
        return (await this.getVersion(input.name, version)) as ModelVersionRecord;
      } catch (err) {
        if (err instanceof StoreError || this.backend.constraintOf(err) !== 'conflict' || attempt >= 4) throw err;
      }
    }
  }

  async getModel(name: string): Promise<ModelRecord | null> {
    const row = await this.db().selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
    return row
      ? { name: row.name, project: row.project, createdAt: Number(row.created_at), createdBy: row.created_by }
      : null;
  }

  async listModels(scope: ProjectScope = {}) {
    if (scope.projects?.length === 0) return [];
    let q = this.db().selectFrom('models').selectAll().orderBy('name');
    if (scope.projects) q = q.where('project', 'in', [...scope.projects]);
    const models = await q.execute();
    const latest = await this.db()
      .selectFrom('model_versions')
      .select(['name', (eb) => eb.fn.max<number>('version').as('v')])
      .where('deleted_at', 'is', null)
      .groupBy('name')
      .execute();
    const aliases = await this.db().selectFrom('model_aliases').selectAll().execute();
    return models.map((m) => ({
      name: m.name,
      project: m.project,
      createdAt: Number(m.created_at),
      createdBy: m.created_by,
      latest: latest.find((l) => l.name === m.name)?.v ?? null,
      aliases: Object.fromEntries(aliases.filter((a) => a.name === m.name).map((a) => [a.alias, a.version])),
    }));
  }

  async listVersions(name: string): Promise<ModelVersionRecord[]> {
    await this.requireModel(name);
    const rows = await this.db()
      .selectFrom('model_versions')
      .selectAll()
      .where('name', '=', name)
      .orderBy('version')
      .execute();
    const aliases = await this.aliasesOf(name);
    return rows.map((r) => this.toVersion(r, aliases));
  }

  async resolve(ref: string): Promise<ModelVersionRecord> {
    const at = ref.lastIndexOf('@');
    const name = at > 0 ? ref.slice(0, at) : ref;
    const selector = at > 0 ? ref.slice(at + 1) : null;
    await this.requireModel(name);
    const versions = await this.listVersions(name);
    const live = versions.filter((v) => v.deletedAt === null);
    let found: ModelVersionRecord | undefined;
    if (selector === null || selector === 'latest') found = live[live.length - 1];
    else if (/^v?\d+$/.test(selector)) found = versions.find((v) => v.version === Number(selector.replace(/^v/, '')));
    else found = versions.find((v) => v.aliases.includes(selector));
    if (!found) {
      const aliases = [...new Set(versions.flatMap((v) => v.aliases))];
      throw new StoreError(
        'STORE_NOT_FOUND',
        `model ${name} has no version ${selector ?? '(none registered)'}: versions ${live.map((v) => v.version).join(', ') || 'none'}${aliases.length ? `, aliases ${aliases.join(', ')}` : ''}`,
      );
    }
    return found;
  }

  async setAlias(name: string, alias: string, version: number, actor: string | null, at: number): Promise<void> {
    checkAlias(alias);
    const v = await this.getVersion(name, version);
    if (!v || v.deletedAt !== null) {
      throw new StoreError('STORE_NOT_FOUND', `model ${name} has no live version ${version}`);
    }
    const { project } = (await this.getModel(name)) as ModelRecord;
    await this.db()
      .transaction()
      .execute((trx) => moveAlias(trx, project, name, alias, version, actor, at));
  }

  async deleteVersion(name: string, version: number, actor: string | null, at: number): Promise<void> {
    const v = await this.getVersion(name, version);
    if (!v || v.deletedAt !== null)
      throw new StoreError('STORE_NOT_FOUND', `model ${name} has no live version ${version}`);
    const { project } = (await this.getModel(name)) as ModelRecord;
    await this.db()
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable('model_versions')
          .set({ deleted_at: at, deleted_by: actor })
          .where('name', '=', name)
          .where('version', '=', version)
          .execute();
        await trx.deleteFrom('model_aliases').where('name', '=', name).where('version', '=', version).execute();
        await audit(trx, at, actor, project, 'model.version.deleted', v.trialId, {
          model: name,
          version,
          aliases: v.aliases,
        });
      });
  }

  private async getVersion(name: string, version: number): Promise<ModelVersionRecord | null> {
    const row = await this.db()
      .selectFrom('model_versions')
      .selectAll()
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return row ? this.toVersion(row, await this.aliasesOf(name)) : null;
  }

  private async aliasesOf(name: string): Promise<Array<{ alias: string; version: number }>> {
    return this.db()
      .selectFrom('model_aliases')
      .select(['alias', 'version'])
      .where('name', '=', name)
      .orderBy('alias')
      .execute();
  }

  private async requireModel(name: string): Promise<void> {
    if (await this.getModel(name)) return;
    const names = (await this.db().selectFrom('models').select('name').orderBy('name').execute()).map((m) => m.name);
    throw new StoreError(
      'STORE_NOT_FOUND',
      `no model named ${name}${names.length ? ` (registered: ${names.join(', ')})` : ' (no models are registered yet)'}`,
    );
  }

  private toVersion(
    r: Selectable<ModelVersionsTable>,
    aliases: Array<{ alias: string; version: number }>,
  ): ModelVersionRecord {
    return {
      name: r.name,
      version: r.version,
      trialId: r.trial_id,
      artifact: { hash: r.artifact_hash, size: Number(r.artifact_size), uri: r.artifact_uri },
      tags: decodeJson(r.tags, this.backend.jsonParsed) as Record<string, unknown>,
      aliases: aliases.filter((a) => a.version === r.version).map((a) => a.alias),
      createdAt: Number(r.created_at),
      createdBy: r.created_by,
      deletedAt: r.deleted_at === null ? null : Number(r.deleted_at),
      deletedBy: r.deleted_by,
    };
  }
}

async function moveAlias(
  trx: Transaction<StoreDatabase>,
  project: string,
  name: string,
  alias: string,
  version: number,
  actor: string | null,
  at: number,
): Promise<void> {
  const prev = await trx
    .selectFrom('model_aliases')
    .select('version')
    .where('name', '=', name)
    .where('alias', '=', alias)
    .executeTakeFirst();
  const row = { version, updated_at: at, updated_by: actor };
  await trx
    .insertInto('model_aliases')
    .values({ name, alias, ...row })
    .onConflict((oc) => oc.columns(['name', 'alias']).doUpdateSet(row))
    .execute();
  await audit(trx, at, actor, project, 'model.alias.set', null, {
    model: name,
    alias,
    version,
    from: prev?.version ?? null,
  });
}

async function audit(
  trx: Transaction<StoreDatabase>,
  at: number,
  actor: string | null,
  project: string,
  type: (typeof AUDIT_EVENT_TYPES)[number],
  trialId: string | null,
  data: Record<string, unknown>,
): Promise<void> {
  await trx
    .insertInto('events')
    .values({ at, sweep_id: null, trial_id: trialId, type, actor, project, data: encodeJson(data) })
    .execute();
}

function checkName(what: string, name: string): void {
  if (!NAME.test(name)) {
    throw new StoreError(
      'STORE_INVALID',
      `invalid ${what} ${JSON.stringify(name)}: letters, digits, . _ - (up to 128)`,
    );
  }
}

function checkAlias(alias: string): void {
  checkName('alias', alias);
  if (/^v?\d+$/.test(alias) || alias === 'latest') {
    throw new StoreError(
      'STORE_INVALID',
      `alias ${JSON.stringify(alias)} would be read as a version; pick a word like staging`,
    );
  }
}
