import pg from 'pg';
import { afterAll } from 'vitest';
import { openPostgresStore } from './open-postgres-store';
import { describeLineageContract } from './store-lineage.contract';

const PG_URL = process.env.HYPERFLEET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `hf_lin_${process.pid}_${Date.now().toString(36)}`;
let n = 0;
const schemas: string[] = [];

async function dropSchemas(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const s of names) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}

afterAll(() => dropSchemas(schemas));

describeLineageContract('postgres', async () => {
  const schema = `${run}_${n++}`;
  schemas.push(schema);
  return {
    open: () => openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 }),
    cleanup: () => dropSchemas([schema]),
  };
});
