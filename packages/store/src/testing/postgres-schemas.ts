import pg from 'pg';
import { afterAll } from 'vitest';

/** The real server (DEVELOPERS.md): trust auth on 127.0.0.1, database `test`. */
export const PG_URL = process.env.HYPERFLEET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function dropSchemas(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const s of names) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Test support: schema names unique to this test file's run (`<tag>_<pid>_<time>_<name>`), every one dropped
 * after the file, so runs never see each other's tables or leave any behind.
 */
export function testSchemas(tag: string): { named(name: string): string; fresh(): string } {
  const run = `${tag}_${process.pid}_${Date.now().toString(36)}`;
  const made: string[] = [];
  let n = 0;
  afterAll(() => dropSchemas(made));
  const named = (name: string) => {
    const schema = `${run}_${name}`;
    made.push(schema);
    return schema;
  };
  return { named, fresh: () => named(String(n++)) };
}
