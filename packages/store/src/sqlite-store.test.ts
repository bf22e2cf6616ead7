import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { knownMigrations, MIGRATION_TABLE } from './migrations';
import { openSqliteStore } from './open-sqlite-store';
import { describeStoreContract, sweepRecord } from './store.contract';

const root = mkdtempSync(join(tmpdir(), 'hf-store-sqlite-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStoreContract('sqlite', async () => {
  // A nested, not-yet-existing directory: opening must create it (like .hyperfleet/ on first run).
  const dir = join(root, `case-${n++}`, 'nested');
  return { open: () => openSqliteStore(join(dir, 'hyperfleet.db')), cleanup: async () => {} };
});

describe('sqlite backend specifics', () => {
  it('uses WAL, foreign keys, and records each migration once across reopens', async () => {
    const file = join(root, 'specifics.db');
    for (let i = 0; i < 3; i++) await (await openSqliteStore(file)).close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const names = db.prepare(`SELECT name FROM ${MIGRATION_TABLE} ORDER BY name`).pluck().all();
      expect(names).toEqual(knownMigrations());
    } finally {
      db.close();
    }
  });

  it('0005 puts the sweeps stored before it in the project their config named (a label then), else default', async () => {
    const file = join(root, 'before-projects.db');
    await (await openSqliteStore(file)).close();
    // The schema as 0004 left it, with two sweeps written then.
    const db = new Database(file);
    db.exec(`DROP INDEX sweeps_by_project; ALTER TABLE sweeps DROP COLUMN project; ALTER TABLE models DROP COLUMN project;
      ALTER TABLE events DROP COLUMN project; DROP TABLE api_tokens; DROP TABLE server_secrets;
      DELETE FROM ${MIGRATION_TABLE} WHERE name IN ('0005_projects', '0006_server_secrets')`);
    const insert = db.prepare(
      "INSERT INTO sweeps (id, status, method, goal, config, seed, created_at) VALUES (?, 'finished', 'grid', 'minimize', ?, 1, 1)",
    );
    insert.run('labelled', JSON.stringify({ method: 'grid', project: 'team-x' }));
    insert.run('plain', JSON.stringify({ method: 'grid' }));
    db.close();
    const store = await openSqliteStore(file);
    try {
      expect((await store.getSweep('labelled'))?.project).toBe('team-x');
      expect((await store.getSweep('plain'))?.project).toBe('default');
    } finally {
      await store.close();
    }
  });

  it('enforces append-only events in the database itself', async () => {
    const file = join(root, 'events.db');
    const store = await openSqliteStore(file);
    await store.appendEvent({ at: 1, sweepId: null, trialId: null, type: 'x', actor: null, data: null });
    await store.close();
    const db = new Database(file);
    try {
      expect(() => db.prepare("UPDATE events SET type = 'y'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('works in memory', async () => {
    const store = await openSqliteStore(':memory:');
    await store.createSweep(sweepRecord('m'));
    expect((await store.getSweep('m'))?.id).toBe('m');
    expect(store.location).toBe('sqlite::memory:');
    await store.close();
  });
});

describe('sqlite: a store path that is not writable', () => {
  const expectUnwritable = async (path: string) => {
    const err = await openSqliteStore(path).then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(err).toMatchObject({ name: 'StoreError', code: 'STORE_UNWRITABLE' });
    expect(err!.message).toContain(path);
    expect(err!.message).toMatch(/--store <path>.*permissions/);
  };

  it('a path under a regular file', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'not a directory');
    await expectUnwritable(join(file, 'sub', 'hyperfleet.db'));
  });

  it('a path that is a directory', async () => {
    const dir = join(root, 'a-directory.db');
    mkdirSync(dir, { recursive: true });
    await expectUnwritable(dir);
  });

  it('a directory without write permission', async () => {
    const dir = join(root, 'locked');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o555);
    const target = join(dir, 'hyperfleet.db');
    if (process.getuid?.() !== 0) {
      await expectUnwritable(target);
      return;
    }
    // root ignores permission bits: check the same thing as an unprivileged user in a child process.
    chmodSync(root, 0o755);
    const probe = fileURLToPath(new URL('./testing/open-store-probe.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', probe, target], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)), // resolves tsx from the workspace
      env: { ...process.env, HOME: tmpdir() },
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { code: string; message: string };
    expect(out.code).toBe('STORE_UNWRITABLE');
    expect(out.message).toContain(target);
    expect(out.message).toMatch(/--store <path>.*permissions/);
  });
});
