import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteStore } from './open-sqlite-store';
import { describeLineageContract } from './store-lineage.contract';

const root = mkdtempSync(join(tmpdir(), 'hf-store-lineage-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeLineageContract('sqlite', async () => {
  const file = join(root, `case-${n++}.db`);
  return { open: () => openSqliteStore(file), cleanup: async () => {} };
});
