import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.HYPERFLEET_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh Postgres schema for one test file; `drop()` removes it and everything in it. */
export async function freshSchema(
  prefix = 'hf_e2e',
): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  return {
    schema,
    url: `${PG_URL}?schema=${schema}`,
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
