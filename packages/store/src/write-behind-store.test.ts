import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './open-sqlite-store';
import { sweepRecord, trialRecord } from './store.contract';
import type { AttemptRecord, StoreBatch, TrackingStore } from './tracking-store';
import { WriteBehindStore } from './write-behind-store';

const attempt = (trialId: string, n = 1): AttemptRecord => ({
  trialId,
  attempt: n,
  worker: 'w',
  status: 'running',
  startedAt: 10,
  endedAt: null,
  exitCode: null,
  signal: null,
  reason: null,
});

describe('WriteBehindStore', () => {
  let dir: string;
  let inner: TrackingStore;
  let batches: StoreBatch[];
  let store: WriteBehindStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-write-behind-'));
    const sqlite = await openSqliteStore(join(dir, 'db.sqlite'));
    batches = [];
    // The real store, with saveBatch calls recorded.
    inner = Object.assign(Object.create(sqlite) as TrackingStore, {
      saveBatch: (b: StoreBatch) => {
        batches.push(b);
        return sqlite.saveBatch(b);
      },
    });
    store = new WriteBehindStore(inner);
    await store.createSweep(sweepRecord('s'));
  });

  afterEach(async () => {
    await inner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps trial, attempt and event writes until flush, then saves them in one batch', async () => {
    for (let i = 0; i < 50; i++) {
      await store.createTrial(trialRecord(`s-${i}`, 's', i));
      await store.appendEvent({ at: i, sweepId: 's', trialId: `s-${i}`, type: 'trial.created', actor: null, data: i });
    }
    await store.startAttempt(attempt('s-0'));
    await store.updateTrial('s-0', { status: 'running', startedAt: 10 });
    expect(await inner.getTrial('s-0')).toBeNull();

    await store.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ trials: { length: 50 }, attempts: { length: 1 }, events: { length: 50 } });
    expect(await inner.getTrial('s-0')).toMatchObject({ status: 'running', startedAt: 10, attempts: 1 });
    expect((await inner.countTrials('s')).queued).toBe(49);
    expect(await inner.listEvents({ sweepId: 's', type: 'trial.created' })).toHaveLength(50);
    await store.flush();
    expect(batches).toHaveLength(1); // nothing new: no empty transaction
  });

  it('reads and other writes see buffered rows (they flush first); metric reads do not flush', async () => {
    await store.createTrial(trialRecord('s-0', 's', 0));
    await store.getSummaries('s-0');
    expect(batches).toHaveLength(0);
    expect(await store.getTrial('s-0')).toMatchObject({ id: 's-0', status: 'queued' });
    expect(batches).toHaveLength(1);
    await store.updateTrial('s-0', { metricValue: 0.5 });
    expect((await store.listTrials('s'))[0]?.metricValue).toBe(0.5);
  });

  it('writes through for rows it did not create, and for finished rows once they are saved', async () => {
    await inner.createTrial(trialRecord('old', 's', 0, { status: 'running', attempts: 1 }));
    await inner.startAttempt(attempt('old'));
    await store.updateTrial('old', { metricValue: 2 });
    await store.finishAttempt('old', 1, { status: 'failed', endedAt: 20 });
    expect(await inner.getTrial('old')).toMatchObject({ metricValue: 2 });
    expect((await inner.listAttempts('old'))[0]).toMatchObject({ status: 'failed', endedAt: 20 });

    await store.createTrial(trialRecord('new', 's', 1));
    await store.updateTrial('new', { status: 'succeeded', endedAt: 30 });
    await store.flush();
    await store.updateTrial('new', { reason: 'noted later' }); // evicted: goes straight to the store
    expect(await inner.getTrial('new')).toMatchObject({ status: 'succeeded', reason: 'noted later' });
  });

  it('keeps the rows when a flush fails and saves them on the next one', async () => {
    await store.createTrial(trialRecord('orphan', 'no-such-sweep', 0));
    await store.appendEvent({ at: 1, sweepId: 's', trialId: null, type: 'x', actor: null, data: null });
    await expect(store.flush()).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    expect(await inner.listEvents({ sweepId: 's' })).toEqual([]);
    await inner.createSweep(sweepRecord('no-such-sweep'));
    await store.flush();
    expect(await inner.getTrial('orphan')).not.toBeNull();
    expect(await inner.listEvents({ sweepId: 's', type: 'x' })).toHaveLength(1);
  });

  it('a duplicate trial or attempt still fails as in the store', async () => {
    await store.createTrial(trialRecord('s-0', 's', 0));
    await expect(store.createTrial(trialRecord('s-0', 's', 0))).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    await store.startAttempt(attempt('s-0'));
    await expect(store.startAttempt(attempt('s-0'))).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
  });
});
