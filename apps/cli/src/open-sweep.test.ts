import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type SweepRecord, type TrackingStore } from '@hyperfleet/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findSweep } from './open-sweep';

const sweep = (id: string): SweepRecord => ({
  id,
  name: null,
  status: 'finished',
  method: 'grid',
  metricName: null,
  goal: 'minimize',
  config: {},
  project: 'default',
  seed: 1,
  createdAt: 1,
  finishedAt: null,
  reason: null,
});

let dir: string;
let store: TrackingStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-open-sweep-'));
  store = await openStore(`sqlite:${join(dir, 'db.sqlite')}`);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('findSweep', () => {
  it('finds a sweep by id or unique prefix; says which sweeps an ambiguous prefix matches, or that none does', async () => {
    for (const id of ['k3j9a', 'k3j9b', 'x7']) await store.createSweep(sweep(id));
    expect((await findSweep(store, 'x7')).id).toBe('x7');
    expect((await findSweep(store, 'k3j9b')).id).toBe('k3j9b');
    expect((await findSweep(store, 'x')).id).toBe('x7');
    await expect(findSweep(store, 'k3')).rejects.toThrow('k3 matches 2 sweeps: k3j9a, k3j9b');
    await expect(findSweep(store, 'zz')).rejects.toThrow('no sweep zz in this store');
  });

  it('lists the first 20 matches of a prefix that matches more', async () => {
    for (let i = 0; i < 25; i++) await store.createSweep(sweep(`p${String(i).padStart(2, '0')}`));
    await expect(findSweep(store, 'p')).rejects.toThrow(/^p matches more than 20 sweeps: p00, p01, .*, p19, …$/);
  });
});
