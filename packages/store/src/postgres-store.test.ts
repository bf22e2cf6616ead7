import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { knownMigrations, MIGRATION_TABLE } from './migrations';
import { describePostgresUrl, openPostgresStore } from './open-postgres-store';
import { describeStoreContract, sweepRecord, trialRecord } from './store.contract';
import { dropSchemas, PG_URL, testSchemas } from './testing/postgres-schemas';
import type { TrackingStore } from './tracking-store';

const schemas = testSchemas('hf_test');

describeStoreContract('postgres', async () => {
  const schema = schemas.fresh(); // a fresh schema per test
  return {
    open: () => openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 }),
    cleanup: () => dropSchemas([schema]),
  };
});

describe('postgres backend specifics', () => {
  it('keeps schemas apart (search_path on every pooled connection) and migrates each once', async () => {
    const a = schemas.named('iso_a');
    const b = schemas.named('iso_b');
    const sa = await openPostgresStore({ connectionString: PG_URL, schema: a, maxConnections: 3 });
    const sb = await openPostgresStore({ connectionString: PG_URL, schema: b });
    try {
      // Several concurrent queries force several pool connections, each must see only its schema.
      await sa.createSweep(sweepRecord('only-in-a'));
      const seen = await Promise.all(Array.from({ length: 6 }, () => sa.getSweep('only-in-a')));
      expect(seen.every((s) => s?.id === 'only-in-a')).toBe(true);
      expect(await sb.getSweep('only-in-a')).toBeNull();
      expect(sa.location).toBe(`${describePostgresUrl(PG_URL)} (schema ${a})`);
    } finally {
      await sa.close();
      await sb.close();
    }
    await (await openPostgresStore({ connectionString: PG_URL, schema: a })).close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT name FROM "${a}".${MIGRATION_TABLE} ORDER BY name`);
      expect(rows.map((r) => r.name)).toEqual(knownMigrations());
      await client.query(`INSERT INTO "${a}".events (at, type) VALUES (1, 'x')`);
      await expect(client.query(`UPDATE "${a}".events SET type = 'y'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM "${a}".events`)).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });

  it('0005 puts the sweeps stored before it in the project their config named, else default', async () => {
    const s = schemas.named('before_projects');
    await (await openPostgresStore({ connectionString: PG_URL, schema: s })).close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      // The schema as 0004 left it, with two sweeps written then.
      await client.query(`SET search_path TO "${s}"`);
      await client.query(`ALTER TABLE sweeps DROP COLUMN project; ALTER TABLE models DROP COLUMN project;
        ALTER TABLE events DROP COLUMN project; DROP TABLE api_tokens; DROP TABLE server_secrets;
        DELETE FROM ${MIGRATION_TABLE} WHERE name IN ('0005_projects', '0006_server_secrets')`);
      const insert = `INSERT INTO sweeps (id, status, method, goal, config, seed, created_at)
        VALUES ($1, 'finished', 'grid', 'minimize', $2, 1, 1)`;
      await client.query(insert, ['labelled', JSON.stringify({ method: 'grid', project: 'team-x' })]);
      await client.query(insert, ['plain', JSON.stringify({ method: 'grid' })]);
    } finally {
      await client.end();
    }
    const store = await openPostgresStore({ connectionString: PG_URL, schema: s });
    try {
      expect((await store.getSweep('labelled'))?.project).toBe('team-x');
      expect((await store.getSweep('plain'))?.project).toBe('default');
    } finally {
      await store.close();
    }
  });

  it('stores JSON as jsonb and floats as double precision (NaN native)', async () => {
    const s = schemas.named('types');
    const store = await openPostgresStore({ connectionString: PG_URL, schema: s });
    await store.createSweep(sweepRecord('s'));
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT table_name, column_name, data_type FROM information_schema.columns
         WHERE table_schema = $1 AND column_name IN ('config', 'params', 'data', 'command', 'value', 'metric_value')
         ORDER BY table_name, column_name`,
        [s],
      );
      const types = Object.fromEntries(rows.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]));
      expect(types).toEqual({
        'archived_metric_points.value': 'double precision',
        'events.data': 'jsonb',
        'metric_points.value': 'double precision',
        'server_secrets.value': 'text',
        'sweeps.config': 'jsonb',
        'trials.command': 'jsonb',
        'trials.metric_value': 'double precision',
        'trials.params': 'jsonb',
      });
      const { rows: cfg } = await client.query(`SELECT config->>'method' AS m FROM "${s}".sweeps`);
      expect(cfg[0]?.m).toBe('random');
    } finally {
      await client.end();
    }
  });

  it('synchronousMetricCommit: false (async commit of metric batches) writes and reads the same', async () => {
    const schema = schemas.named('async');
    const store = await openPostgresStore({ connectionString: PG_URL, schema, synchronousMetricCommit: false });
    try {
      await store.createSweep(sweepRecord('s'));
      await store.createTrial(trialRecord('t', 's', 0));
      await store.writeMetrics([{ trialId: 't', key: 'k', step: 0, value: Number.NaN, timestamp: 1 }]);
      await store.writeMetrics([{ trialId: 't', key: 'k', step: 1, value: 2, timestamp: 2 }]);
      expect((await store.getMetricHistory('t', 'k')).map((p) => p.value)).toEqual([Number.NaN, 2]);
      expect((await store.getSummaries('t'))[0]).toMatchObject({ min: 2, max: 2, last: 2, count: 2 });
    } finally {
      await store.close();
    }
  });

  it('a point written behind the store (no summary) does not break the plain-INSERT fast path', () =>
    withTrialT('behind', async (store, client, schema) => {
      await client.query(`INSERT INTO "${schema}".metric_points VALUES ('t', 'k', 0, 5, 1)`);
      await store.writeMetrics([
        { trialId: 't', key: 'k', step: 0, value: 1, timestamp: 2 },
        { trialId: 't', key: 'k', step: 1, value: 3, timestamp: 3 },
      ]);
      expect((await store.getMetricHistory('t', 'k')).map((p) => p.value)).toEqual([1, 3]);
      expect((await store.getSummaries('t'))[0]).toMatchObject({ min: 1, max: 3, count: 2 });
    }));

  it('reads a series in step order even when the server reads the rows in storage order', () =>
    withTrialT('series_order', async (store, client, schema) => {
      const steps = [5, 2, 9, 0, 7, 1];
      await store.writeMetrics(steps.map((step) => ({ trialId: 't', key: 'k', step, value: step / 10, timestamp: 1 })));
      // The primary key's index returns rows by step, which would hide a query that forgot its ORDER BY.
      await client.query(`ALTER TABLE "${schema}".metric_points DROP CONSTRAINT metric_points_pk`);
      const stored = await client.query(`SELECT step FROM "${schema}".metric_points WHERE trial_id = 't'`);
      expect(stored.rows.map((r) => Number(r.step))).toEqual(steps); // storage order is write order here
      expect(await store.getMetricSeries('t', 'k')).toEqual({
        steps: [0, 1, 2, 5, 7, 9],
        values: [0, 0.1, 0.2, 0.5, 0.7, 0.9],
      });
    }));

  it('an unreachable server fails fast with host:port and never the password', async () => {
    const url = 'postgres://alice:s3cret-pw@127.0.0.1:1/hyperfleet';
    const err = await openPostgresStore({ connectionString: url, connectTimeoutMs: 2000 }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ name: 'StoreError', code: 'STORE_UNREACHABLE' });
    expect(err!.message).toContain('127.0.0.1:1');
    expect(err!.message).toContain('postgres://alice@127.0.0.1:1/hyperfleet');
    expect(err!.message).not.toContain('s3cret-pw');
    expect(err!.message).toMatch(/--store/);
  });

  it('a database that does not exist is reported as unreachable, naming it', async () => {
    const err = await openPostgresStore({
      connectionString: 'postgres://postgres@127.0.0.1:5432/no_such_db_hf',
    }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: 'STORE_UNREACHABLE' });
    expect(err!.message).toMatch(/127\.0\.0\.1:5432\/no_such_db_hf.*does not exist/);
  });

  it('rejects an unsafe schema name', async () => {
    await expect(openPostgresStore({ connectionString: PG_URL, schema: 'x; drop table y' })).rejects.toMatchObject({
      code: 'STORE_BAD_URL',
    });
  });
});

/** A store in its own schema holding sweep `s` and its trial `t`, and a plain client beside it; both closed after. */
async function withTrialT(
  name: string,
  test: (store: TrackingStore, client: pg.Client, schema: string) => Promise<void>,
): Promise<void> {
  const schema = schemas.named(name);
  const store = await openPostgresStore({ connectionString: PG_URL, schema });
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await store.createSweep(sweepRecord('s'));
    await store.createTrial(trialRecord('t', 's', 0));
    await test(store, client, schema);
  } finally {
    await client.end();
    await store.close();
  }
}
