import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SQLITE_PATH, defaultStoreUrl, openStore, parseStoreUrl } from './open-store';

const root = mkdtempSync(join(tmpdir(), 'hf-open-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parseStoreUrl', () => {
  it.each([
    ['sqlite:/var/x.db', { kind: 'sqlite', path: '/var/x.db' }],
    ['sqlite:///var/x.db', { kind: 'sqlite', path: '/var/x.db' }],
    ['sqlite:rel/x.db', { kind: 'sqlite', path: 'rel/x.db' }],
    ['sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
    [':memory:', { kind: 'sqlite', path: ':memory:' }],
    ['./runs/h.db', { kind: 'sqlite', path: './runs/h.db' }],
    ['postgres://u:p@db:5432/hf', { kind: 'postgres', connectionString: 'postgres://u:p@db:5432/hf' }],
    ['postgresql://db/hf', { kind: 'postgres', connectionString: 'postgresql://db/hf' }],
    [
      'postgres://u@db/hf?schema=hf_test&sslmode=disable',
      { kind: 'postgres', connectionString: 'postgres://u@db/hf?sslmode=disable', schema: 'hf_test' },
    ],
  ])('%s', (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it('rejects empty URLs and unknown schemes without echoing credentials', () => {
    expect(() => parseStoreUrl(' ')).toThrow(expect.objectContaining({ code: 'STORE_BAD_URL' }));
    expect(() => parseStoreUrl('sqlite:')).toThrow(expect.objectContaining({ code: 'STORE_BAD_URL' }));
    let message = '';
    try {
      parseStoreUrl('mysql://root:hunter2@db/x');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/unsupported store URL scheme/);
    expect(message).not.toContain('hunter2');
  });

  it('defaults to .hyperfleet/hyperfleet.db under the working directory', () => {
    expect(defaultStoreUrl('/home/me/proj')).toBe(`sqlite:${resolve('/home/me/proj', DEFAULT_SQLITE_PATH)}`);
  });
});

describe('openStore', () => {
  it('opens SQLite from sqlite: URLs, bare paths and :memory:', async () => {
    for (const url of [`sqlite:${join(root, 'a.db')}`, join(root, 'b', 'c.db'), ':memory:']) {
      const store = await openStore(url);
      expect(store.kind).toBe('sqlite');
      await store.close();
    }
  });

  it('opens Postgres from a postgres:// URL with a schema', async () => {
    const schema = `hf_open_${process.pid}_${Date.now().toString(36)}`;
    const store = await openStore('postgres://postgres@127.0.0.1:5432/test', { schema });
    try {
      expect(store.kind).toBe('postgres');
      expect(store.location).toContain(`schema ${schema}`);
    } finally {
      await store.close();
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
      await c.connect();
      await c.query(`DROP SCHEMA "${schema}" CASCADE`);
      await c.end();
    }
  });
});
