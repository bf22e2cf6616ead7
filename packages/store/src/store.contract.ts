import type { MetricPoint, MetricSummary, TrialStatus } from '@hyperfleet/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTrialRecord } from './new-trial-record';
import type { StoreErrorCode } from './store-error';
import type { SweepRecord, TrackingStore, TrialRecord } from './tracking-store';

/** One store location (a temp file, a fresh schema). `open()` may be called again to reopen the same data. */
export interface StoreHarness {
  open(): Promise<TrackingStore>;
  cleanup(): Promise<void>;
}

export function sweepRecord(id: string, over: Partial<SweepRecord> = {}): SweepRecord {
  return {
    id,
    name: `sweep ${id}`,
    status: 'running',
    method: 'random',
    metricName: 'val_acc',
    goal: 'maximize',
    config: { method: 'random', parameters: { lr: { min: 0.001, max: 0.1 } }, note: 'ünïcødé ✓' },
    seed: 42,
    createdAt: 1_700_000_000_000,
    finishedAt: null,
    reason: null,
    project: 'default',
    ...over,
  };
}

export function trialRecord(id: string, sweepId: string, index: number, over: Partial<TrialRecord> = {}): TrialRecord {
  return {
    ...newTrialRecord({
      id,
      sweepId,
      index,
      params: { lr: 0.01, optimizer: { name: 'adam', betas: [0.9, 0.999] }, flag: true, none: null },
      seed: 1000 + index,
      command: ['node', 'train.js', '--lr=0.01'],
      createdAt: 1_700_000_000_000 + index,
    }),
    ...over,
  };
}

function pt(
  trialId: string,
  key: string,
  step: number,
  value: number,
  timestamp = 1_700_000_000_000 + step,
): MetricPoint {
  return { trialId, key, step, value, timestamp };
}

async function expectStoreError(p: Promise<unknown>, code: StoreErrorCode, text?: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toMatchObject({ name: 'StoreError', code });
  if (text) expect((err as Error).message).toMatch(text);
}

/** Reference summary computed the slow, obvious way from a full history. */
function referenceSummary(trialId: string, key: string, history: MetricPoint[]): MetricSummary {
  const sorted = [...history].sort((a, b) => a.step - b.step);
  // min/max over the finite values; only without any, over ±Infinity; only without those, NaN.
  const finite = sorted.filter((p) => Number.isFinite(p.value));
  const infinite = sorted.filter((p) => !Number.isNaN(p.value));
  const pool = finite.length > 0 ? finite : infinite.length > 0 ? infinite : sorted;
  const pick = (better: (a: number, b: number) => boolean) =>
    pool.reduce((best, p) => (better(p.value, best.value) ? p : best), pool[0]!);
  const min = pick((a, b) => a < b);
  const max = pick((a, b) => a > b);
  const last = sorted[sorted.length - 1]!;
  return {
    trialId,
    key,
    last: last.value,
    lastStep: last.step,
    min: min.value,
    minStep: min.step,
    max: max.value,
    maxStep: max.step,
    count: sorted.length,
  };
}

/** Deterministic PRNG for the randomized tests (no Math.random: failures must reproduce). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The behaviour every TrackingStore backend must have. Each test gets a fresh location from `factory`.
 */
export function describeStoreContract(name: string, factory: () => Promise<StoreHarness>): void {
  describe(`TrackingStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: TrackingStore;

    beforeEach(async () => {
      harness = await factory();
      store = await harness.open();
    });

    afterEach(async () => {
      await store.close();
      await harness.cleanup();
    });

    async function seedTrials(sweepId: string, n: number, over: (i: number) => Partial<TrialRecord> = () => ({})) {
      await store.createSweep(sweepRecord(sweepId));
      for (let i = 0; i < n; i++) await store.createTrial(trialRecord(`${sweepId}-t${i}`, sweepId, i, over(i)));
    }

    it('a server secret: the first value written is kept, for every later caller and after a reopen', async () => {
      expect(await store.serverSecret('agent-secret', 'first')).toBe('first');
      expect(await store.serverSecret('agent-secret', 'second')).toBe('first');
      await store.close();
      store = await harness.open();
      expect(await store.serverSecret('agent-secret', 'third')).toBe('first');
      expect(await store.serverSecret('other', 'x')).toBe('x');
    });

    describe('sweeps', () => {
      it('round-trips every field, JSON config included', async () => {
        const s = sweepRecord('s1', { finishedAt: 1_700_000_100_000, reason: 'run_cap', goal: 'minimize' });
        await store.createSweep(s);
        expect(await store.getSweep('s1')).toEqual(s);
        expect(await store.getSweep('nope')).toBeNull();
      });

      it('lists newest first and honours limit', async () => {
        await store.createSweep(sweepRecord('a', { createdAt: 1 }));
        await store.createSweep(sweepRecord('b', { createdAt: 3 }));
        await store.createSweep(sweepRecord('c', { createdAt: 2 }));
        expect((await store.listSweeps()).map((s) => s.id)).toEqual(['b', 'c', 'a']);
        expect((await store.listSweeps({ limit: 2 })).map((s) => s.id)).toEqual(['b', 'c']);
      });

      it("keeps each sweep in its project (the config's `project:`, else default) and lists by project", async () => {
        const { project: _, ...unnamed } = sweepRecord('a', { createdAt: 1 });
        await store.createSweep(unnamed);
        await store.createSweep({ ...unnamed, id: 'b', createdAt: 2, config: { method: 'grid', project: 'team-b' } });
        await store.createSweep(sweepRecord('c', { createdAt: 3, project: 'team-c' }));
        expect((await store.getSweep('a'))?.project).toBe('default');
        expect((await store.getSweep('b'))?.project).toBe('team-b');
        const ids = async (projects?: string[]) =>
          (await store.listSweeps(projects ? { projects } : {})).map((s) => s.id);
        expect(await ids()).toEqual(['c', 'b', 'a']);
        expect(await ids(['team-b', 'default'])).toEqual(['b', 'a']);
        expect(await ids([])).toEqual([]);
        // The audit log: events with an actor, in their sweep's project.
        await store.appendEvent({ at: 1, sweepId: 'b', trialId: null, type: 'sweep.paused', actor: 'bob', data: null });
        await store.appendEvent({ at: 2, sweepId: 'b', trialId: null, type: 'trial.started', actor: null, data: null });
        await store.appendEvent({ at: 3, sweepId: 'c', trialId: null, type: 'sweep.paused', actor: 'cy', data: null });
        const audit = await store.listAudit({ projects: ['team-b'] });
        expect(audit.map((e) => [e.sweepId, e.actor, e.project])).toEqual([['b', 'bob', 'team-b']]);
        expect((await store.listAudit({ limit: 1 })).map((e) => e.actor)).toEqual(['cy']);
      });

      it('finds sweeps by id prefix: case-sensitive, wildcards literal, in id order, up to the limit', async () => {
        for (const id of ['ab1', 'ab2', 'ab3', 'AB4', 'abc', 'a_b', 'a%b', 'a*b', 'a?b', 'a[b]', 'a\\b', 'x']) {
          await store.createSweep(sweepRecord(id));
        }
        const find = async (prefix: string, limit = 100) =>
          (await store.findSweepsByIdPrefix(prefix, limit)).map((s) => s.id);
        expect(await find('ab')).toEqual(['ab1', 'ab2', 'ab3', 'abc']);
        expect(await find('ab', 2)).toEqual(['ab1', 'ab2']);
        expect(await find('AB')).toEqual(['AB4']);
        for (const id of ['a_b', 'a%b', 'a*b', 'a?b', 'a[b]', 'a\\b']) expect(await find(id)).toEqual([id]);
        expect(await find('a[')).toEqual(['a[b]']);
        expect(await find('abc')).toEqual(['abc']);
        expect(await find('nope')).toEqual([]);
        expect((await store.findSweepsByIdPrefix('x', 1))[0]).toEqual(sweepRecord('x'));
      });

      it('updates only the patched fields', async () => {
        await store.createSweep(sweepRecord('s1'));
        await store.updateSweep('s1', { status: 'finished', finishedAt: 5, reason: 'exhausted' });
        expect(await store.getSweep('s1')).toEqual({
          ...sweepRecord('s1'),
          status: 'finished',
          finishedAt: 5,
          reason: 'exhausted',
        });
        await store.updateSweep('s1', { name: null });
        expect((await store.getSweep('s1'))?.name).toBeNull();
      });

      it('rejects a duplicate id and a patch of a missing sweep with typed errors', async () => {
        await store.createSweep(sweepRecord('s1'));
        await expectStoreError(store.createSweep(sweepRecord('s1')), 'STORE_CONFLICT', /sweep s1/);
        await expectStoreError(store.updateSweep('ghost', { status: 'failed' }), 'STORE_NOT_FOUND', /ghost/);
        await expectStoreError(store.updateSweep('ghost', {}), 'STORE_NOT_FOUND', /ghost/);
      });
    });

    describe('trials', () => {
      it('round-trips every field, including NaN and ±Infinity metric values', async () => {
        await store.createSweep(sweepRecord('s'));
        const values = [null, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.25];
        const trials = values.map((v, i) =>
          trialRecord(`t${i}`, 's', i, {
            metricValue: v,
            command: i === 1 ? null : ['python', 'train.py', `--i=${i}`],
            status: 'failed',
            startedAt: 10,
            endedAt: 20,
            exitCode: i === 2 ? null : 1,
            signal: i === 2 ? 'SIGKILL' : null,
            reason: 'spawn ENOENT: no such file',
            attempts: 2,
          }),
        );
        for (const t of trials) await store.createTrial(t);
        for (const t of trials) expect(await store.getTrial(t.id)).toEqual(t);
        expect(await store.getTrial('nope')).toBeNull();
      });

      it('patches only the given fields; null clears a field', async () => {
        await seedTrials('s', 1);
        const id = 's-t0';
        await store.updateTrial(id, { status: 'running', startedAt: 100, metricValue: 0.7 });
        await store.updateTrial(id, { status: 'succeeded', endedAt: 200, exitCode: 0, reason: 'ok' });
        await store.updateTrial(id, { reason: null, params: { lr: 0.5 }, command: null, attempts: 3 });
        expect(await store.getTrial(id)).toEqual({
          ...trialRecord(id, 's', 0),
          status: 'succeeded',
          startedAt: 100,
          endedAt: 200,
          exitCode: 0,
          reason: null,
          metricValue: 0.7,
          params: { lr: 0.5 },
          command: null,
          attempts: 3,
        });
        await store.updateTrial(id, { metricValue: Number.NaN });
        expect((await store.getTrial(id))?.metricValue).toBeNaN();
        await store.updateTrial(id, { metricValue: null });
        expect((await store.getTrial(id))?.metricValue).toBeNull();
      });

      it('rejects duplicates, unknown sweeps and patches of missing trials', async () => {
        await seedTrials('s', 1);
        await expectStoreError(store.createTrial(trialRecord('s-t0', 's', 5)), 'STORE_CONFLICT', /s-t0/);
        await expectStoreError(store.createTrial(trialRecord('other', 's', 0)), 'STORE_CONFLICT'); // same index
        await expectStoreError(store.createTrial(trialRecord('x', 'no-such-sweep', 0)), 'STORE_NOT_FOUND', /x/);
        await expectStoreError(store.updateTrial('ghost', { status: 'failed' }), 'STORE_NOT_FOUND', /ghost/);
      });

      it('lists by index with status filter, limit and offset', async () => {
        const statuses: TrialStatus[] = ['succeeded', 'failed', 'succeeded', 'running', 'succeeded'];
        await seedTrials('s', 5, (i) => ({ status: statuses[i]! }));
        await seedTrials('other', 2);
        const ids = (ts: TrialRecord[]) => ts.map((t) => t.index);
        expect(ids(await store.listTrials('s'))).toEqual([0, 1, 2, 3, 4]);
        expect(ids(await store.listTrials('s', { status: ['succeeded'] }))).toEqual([0, 2, 4]);
        expect(ids(await store.listTrials('s', { status: ['failed', 'running'] }))).toEqual([1, 3]);
        expect(ids(await store.listTrials('s', { status: [] }))).toEqual([]);
        expect(ids(await store.listTrials('s', { limit: 2, offset: 1 }))).toEqual([1, 2]);
        expect(ids(await store.listTrials('s', { offset: 3 }))).toEqual([3, 4]);
        expect(await store.listTrials('nope')).toEqual([]);
      });

      it('ranks by goal: finite values first, then non-finite ones (never best: NaN, ±Infinity), then no metric; ties by index', async () => {
        const values = [0.5, null, Number.NaN, 0.9, Number.NEGATIVE_INFINITY, 0.5, Number.POSITIVE_INFINITY, null];
        await seedTrials('s', values.length, (i) => ({ metricValue: values[i]! }));
        const order = async (goal: 'minimize' | 'maximize', limit?: number) =>
          (await store.listTrials('s', { rankBy: goal, ...(limit ? { limit } : {}) })).map((t) => t.index);
        expect(await order('maximize')).toEqual([3, 0, 5, 2, 4, 6, 1, 7]);
        expect(await order('minimize')).toEqual([0, 5, 3, 2, 4, 6, 1, 7]);
        expect(await order('maximize', 1)).toEqual([3]);
        expect(await order('minimize', 1)).toEqual([0]);
      });

      it('keeps the points each trial had dropped, per reason; absent when none', async () => {
        await seedTrials('s', 2);
        expect((await store.getTrial('s-t0'))?.droppedPoints).toBeUndefined();
        await store.updateTrial('s-t0', { droppedPoints: { step_negative: 3, step_too_large: 1 } });
        expect((await store.getTrial('s-t0'))?.droppedPoints).toEqual({ step_negative: 3, step_too_large: 1 });
        await store.saveBatch({
          trials: [trialRecord('s-t1', 's', 1, { droppedPoints: { bad_value: 2 } })],
          attempts: [],
          events: [],
        });
        expect((await store.getTrial('s-t1'))?.droppedPoints).toEqual({ bad_value: 2 });
        await store.updateTrial('s-t0', { droppedPoints: {} });
        expect((await store.getTrial('s-t0'))?.droppedPoints).toBeUndefined();
      });

      it('counts trials per status, every status present', async () => {
        const statuses: TrialStatus[] = ['succeeded', 'failed', 'succeeded', 'cancelled'];
        await seedTrials('s', 4, (i) => ({ status: statuses[i]! }));
        expect(await store.countTrials('s')).toEqual({
          queued: 0,
          running: 0,
          succeeded: 2,
          failed: 1,
          stopped: 0,
          cancelled: 1,
        });
      });
    });

    describe('attempts', () => {
      it('starts, finishes and lists attempts; the trial counter follows the highest attempt', async () => {
        await seedTrials('s', 1);
        const base = {
          trialId: 's-t0',
          worker: 'gpu-box-1/0',
          status: 'running' as const,
          endedAt: null,
          exitCode: null,
          signal: null,
          reason: null,
        };
        await store.startAttempt({ ...base, attempt: 2, startedAt: 20 });
        await store.startAttempt({ ...base, attempt: 1, startedAt: 10, worker: null });
        await store.finishAttempt('s-t0', 1, {
          status: 'failed',
          endedAt: 15,
          reason: 'pod preempted',
          signal: 'SIGKILL',
        });
        expect(await store.listAttempts('s-t0')).toEqual([
          {
            ...base,
            attempt: 1,
            startedAt: 10,
            worker: null,
            status: 'failed',
            endedAt: 15,
            reason: 'pod preempted',
            signal: 'SIGKILL',
          },
          { ...base, attempt: 2, startedAt: 20 },
        ]);
        expect((await store.getTrial('s-t0'))?.attempts).toBe(2);
        await store.finishAttempt('s-t0', 2, { status: 'succeeded', endedAt: 30, exitCode: 0 });
        expect((await store.listAttempts('s-t0'))[1]).toMatchObject({ status: 'succeeded', endedAt: 30, exitCode: 0 });
        expect(await store.listAttempts('nope')).toEqual([]);
      });

      it('rejects duplicates, unknown trials and finishing a missing attempt', async () => {
        await seedTrials('s', 1);
        const a = {
          trialId: 's-t0',
          attempt: 1,
          worker: null,
          status: 'running' as const,
          startedAt: 1,
          endedAt: null,
          exitCode: null,
          signal: null,
          reason: null,
        };
        await store.startAttempt(a);
        await expectStoreError(store.startAttempt(a), 'STORE_CONFLICT', /attempt 1 of trial s-t0/);
        await expectStoreError(store.startAttempt({ ...a, trialId: 'ghost' }), 'STORE_NOT_FOUND', /ghost/);
        await expectStoreError(store.finishAttempt('s-t0', 9, { status: 'failed' }), 'STORE_NOT_FOUND', /attempt 9/);
        // The failed duplicate must not have bumped anything.
        expect((await store.getTrial('s-t0'))?.attempts).toBe(1);
        expect(await store.listAttempts('s-t0')).toHaveLength(1);
      });
    });

    describe('metrics', () => {
      it('archives a lost attempt: its points are kept and marked, the next attempt starts clean', async () => {
        await seedTrials('s', 2);
        await store.writeMetrics([
          pt('s-t0', 'loss', 0, 3),
          pt('s-t0', 'loss', 1, Number.NaN),
          pt('s-t1', 'loss', 0, 7),
        ]);
        await store.archiveAttemptMetrics('s-t0', 1);
        expect(await store.getMetricHistory('s-t0', 'loss')).toEqual([]);
        expect(await store.getSummaries('s-t0')).toEqual([]);
        await store.writeMetrics([pt('s-t0', 'loss', 0, 2)]);
        expect((await store.getSummaries('s-t0'))[0]).toMatchObject({ min: 2, max: 2, count: 1 });
        const archived = await store.listArchivedMetrics('s-t0');
        expect(archived.map((p) => [p.attempt, p.step, p.value])).toEqual([
          [1, 0, 3],
          [1, 1, Number.NaN],
        ]);
        expect(await store.getMetricHistory('s-t1', 'loss')).toEqual([pt('s-t1', 'loss', 0, 7)]);
      });

      it('writes a batch and reads the history back in step order', async () => {
        await seedTrials('s', 2);
        const points = [pt('s-t0', 'loss', 2, 0.5), pt('s-t0', 'loss', 0, 1.5), pt('s-t0', 'loss', 1, 0.9)];
        await store.writeMetrics([...points, pt('s-t0', 'acc', 0, 0.1), pt('s-t1', 'loss', 0, 7)]);
        expect(await store.getMetricHistory('s-t0', 'loss')).toEqual([points[1], points[2], points[0]]);
        expect(await store.getMetricHistory('s-t1', 'loss')).toEqual([pt('s-t1', 'loss', 0, 7)]);
        expect(await store.getMetricHistory('s-t0', 'nope')).toEqual([]);
        await store.writeMetrics([]);
      });

      it('reads a history as columns: the same points, in step order, non-finite values included', async () => {
        await seedTrials('s', 2);
        const weird = [
          Number.NaN,
          Number.POSITIVE_INFINITY,
          -0.5,
          Number.NEGATIVE_INFINITY,
          1e-310,
          1.7976931348623157e308,
        ];
        const steps = [5, 2 ** 40, 0, 3, 1, 7];
        await store.writeMetrics(weird.map((v, i) => pt('s-t0', 'w', steps[i] ?? 0, v)));
        // A long history written out of order and partly rewritten, next to another key and another trial.
        const long = Array.from({ length: 3000 }, (_, i) => pt('s-t0', 'loss', 2999 - i, Math.sin(i) * 1e3));
        await store.writeMetrics([...long, pt('s-t0', 'acc', 0, 1), pt('s-t1', 'loss', 0, 7)]);
        await store.writeMetrics([pt('s-t0', 'loss', 10, 0.25)]);
        for (const key of ['w', 'loss']) {
          const history = await store.getMetricHistory('s-t0', key);
          expect(await store.getMetricSeries('s-t0', key)).toEqual({
            steps: history.map((p) => p.step),
            values: history.map((p) => p.value),
          });
        }
        const w = await store.getMetricSeries('s-t0', 'w');
        expect(w.steps).toEqual([0, 1, 3, 5, 7, 2 ** 40]);
        expect(w.values).toEqual([
          -0.5,
          1e-310,
          Number.NEGATIVE_INFINITY,
          Number.NaN,
          1.7976931348623157e308,
          Number.POSITIVE_INFINITY,
        ]);
        expect((await store.getMetricSeries('s-t0', 'loss')).values[10]).toBe(0.25);
        expect(await store.getMetricSeries('s-t1', 'loss')).toEqual({ steps: [0], values: [7] });
        expect(await store.getMetricSeries('s-t0', 'nope')).toEqual({ steps: [], values: [] });
      });

      it('keeps per-trial, per-key summaries', async () => {
        await seedTrials('s', 2);
        await store.writeMetrics([
          pt('s-t0', 'loss', 0, 2),
          pt('s-t0', 'loss', 1, 0.5),
          pt('s-t0', 'loss', 2, 0.5), // tie: min keeps the earliest step
          pt('s-t0', 'loss', 3, 1),
          pt('s-t0', 'acc', 0, 0.3),
          pt('s-t1', 'loss', 5, 9),
        ]);
        // Second batch: a lower min, an earlier step (does not move `last`), a new last.
        await store.writeMetrics([pt('s-t0', 'loss', 4, 0.25), pt('s-t0', 'acc', 1, 0.8), pt('s-t0', 'acc', -1, 0.9)]);
        expect(await store.getSummaries('s-t0')).toEqual([
          {
            trialId: 's-t0',
            key: 'acc',
            last: 0.8,
            lastStep: 1,
            min: 0.3,
            minStep: 0,
            max: 0.9,
            maxStep: -1,
            count: 3,
          },
          {
            trialId: 's-t0',
            key: 'loss',
            last: 0.25,
            lastStep: 4,
            min: 0.25,
            minStep: 4,
            max: 2,
            maxStep: 0,
            count: 5,
          },
        ]);
        expect(await store.getSummaries('s-t1')).toEqual([
          { trialId: 's-t1', key: 'loss', last: 9, lastStep: 5, min: 9, minStep: 5, max: 9, maxStep: 5, count: 1 },
        ]);
        expect(await store.getSummaries('nope')).toEqual([]);
      });

      it('is idempotent on (trial, key, step): a redelivered batch changes nothing', async () => {
        await seedTrials('s', 1);
        const batch = Array.from({ length: 50 }, (_, i) => pt('s-t0', 'loss', i, Math.sin(i)));
        await store.writeMetrics(batch);
        const history = await store.getMetricHistory('s-t0', 'loss');
        const summaries = await store.getSummaries('s-t0');
        await store.writeMetrics(batch);
        await store.writeMetrics(batch.slice(10, 20));
        expect(await store.getMetricHistory('s-t0', 'loss')).toEqual(history);
        expect(await store.getSummaries('s-t0')).toEqual(summaries);
        expect(summaries[0]?.count).toBe(50);
      });

      it('a rewritten point replaces the old value, and summaries follow (min/max/last recomputed)', async () => {
        await seedTrials('s', 1);
        await store.writeMetrics([
          pt('s-t0', 'm', 0, 5),
          pt('s-t0', 'm', 1, 1),
          pt('s-t0', 'm', 2, 9),
          pt('s-t0', 'm', 3, 4),
        ]);
        // Overwrite the min (step 1) and the max (step 2) with middling values, and the last step.
        await store.writeMetrics([pt('s-t0', 'm', 1, 3, 7), pt('s-t0', 'm', 2, 6, 8), pt('s-t0', 'm', 3, 2, 9)]);
        expect(await store.getMetricHistory('s-t0', 'm')).toEqual([
          pt('s-t0', 'm', 0, 5),
          pt('s-t0', 'm', 1, 3, 7),
          pt('s-t0', 'm', 2, 6, 8),
          pt('s-t0', 'm', 3, 2, 9),
        ]);
        expect(await store.getSummaries('s-t0')).toEqual([
          { trialId: 's-t0', key: 'm', last: 2, lastStep: 3, min: 2, minStep: 3, max: 6, maxStep: 2, count: 4 },
        ]);
      });

      it('within one batch the last occurrence of a step wins', async () => {
        await seedTrials('s', 1);
        await store.writeMetrics([pt('s-t0', 'm', 0, 1), pt('s-t0', 'm', 1, 2), pt('s-t0', 'm', 0, 3)]);
        expect((await store.getMetricHistory('s-t0', 'm')).map((p) => p.value)).toEqual([3, 2]);
        expect((await store.getSummaries('s-t0'))[0]).toMatchObject({ min: 2, max: 3, count: 2 });
      });

      it('round-trips NaN and ±Infinity in points and summaries', async () => {
        await seedTrials('s', 1);
        const values = [
          Number.NaN,
          Number.POSITIVE_INFINITY,
          0.5,
          Number.NEGATIVE_INFINITY,
          Number.NaN,
          -0.5,
          1e-300,
          1.7976931348623157e308,
        ];
        await store.writeMetrics(values.map((v, i) => pt('s-t0', 'weird', i, v)));
        await store.writeMetrics([pt('s-t0', 'nan', 0, Number.NaN), pt('s-t0', 'nan', 1, Number.NaN)]);
        await store.writeMetrics([pt('s-t0', 'inf', 0, Number.NaN), pt('s-t0', 'inf', 1, Number.POSITIVE_INFINITY)]);
        await store.writeMetrics([pt('s-t0', 'inf', 2, Number.NEGATIVE_INFINITY)]);
        const history = await store.getMetricHistory('s-t0', 'weird');
        expect(history.map((p) => p.value)).toEqual(values);
        expect(Object.is(history[0]?.value, Number.NaN)).toBe(true);
        expect(await store.getSummaries('s-t0')).toEqual([
          // No finite value: ±Infinity are min and max (NaN only when every value is NaN).
          {
            trialId: 's-t0',
            key: 'inf',
            last: Number.NEGATIVE_INFINITY,
            lastStep: 2,
            min: Number.NEGATIVE_INFINITY,
            minStep: 2,
            max: Number.POSITIVE_INFINITY,
            maxStep: 1,
            count: 3,
          },
          // All NaN: min and max are NaN at the first step.
          {
            trialId: 's-t0',
            key: 'nan',
            last: Number.NaN,
            lastStep: 1,
            min: Number.NaN,
            minStep: 0,
            max: Number.NaN,
            maxStep: 0,
            count: 2,
          },
          // Non-finite values are ignored by min/max (never a best) but kept as `last` when they are the last value.
          {
            trialId: 's-t0',
            key: 'weird',
            last: 1.7976931348623157e308,
            lastStep: 7,
            min: -0.5,
            minStep: 5,
            max: 1.7976931348623157e308,
            maxStep: 7,
            count: 8,
          },
        ]);
        await store.writeMetrics([pt('s-t0', 'weird', 8, Number.NaN)]);
        expect((await store.getSummaries('s-t0'))[2]).toMatchObject({ last: Number.NaN, lastStep: 8, count: 9 });
      });

      it('matches a reference summary over random batches with rewrites, NaN and out-of-order steps', async () => {
        await seedTrials('s', 3);
        const rnd = mulberry32(1234);
        const truth = new Map<string, Map<number, MetricPoint>>();
        for (let round = 0; round < 40; round++) {
          const batch: MetricPoint[] = [];
          const n = 1 + Math.floor(rnd() * 30);
          for (let i = 0; i < n; i++) {
            const trialId = `s-t${Math.floor(rnd() * 3)}`;
            const key = rnd() < 0.5 ? 'a' : 'b';
            const step = Math.floor(rnd() * 60) - 5;
            const r = rnd();
            const value =
              r < 0.05
                ? Number.NaN
                : r < 0.08
                  ? Number.POSITIVE_INFINITY
                  : r < 0.1
                    ? Number.NEGATIVE_INFINITY
                    : Math.round(rnd() * 100) / 10;
            const p = pt(trialId, key, step, value, 1000 * round + i);
            batch.push(p);
          }
          await store.writeMetrics(batch);
          for (const p of batch) {
            const id = `${p.trialId}/${p.key}`;
            if (!truth.has(id)) truth.set(id, new Map());
            truth.get(id)!.set(p.step, p);
          }
        }
        for (const [id, points] of truth) {
          const [trialId, key] = id.split('/') as [string, string];
          const history = [...points.values()].sort((a, b) => a.step - b.step);
          expect(await store.getMetricHistory(trialId, key)).toEqual(history);
          const summary = (await store.getSummaries(trialId)).find((s) => s.key === key);
          expect(summary, id).toEqual(referenceSummary(trialId, key, history));
        }
      });

      it('writes batches larger than one insert statement (chunking) in one call', async () => {
        await seedTrials('s', 3);
        const points: MetricPoint[] = [];
        for (let t = 0; t < 3; t++) for (let i = 0; i < 4500; i++) points.push(pt(`s-t${t}`, 'loss', i, i / 7));
        points.push(pt('s-t2', 'extra', 0, 1)); // 13,501 rows: crosses every chunk size
        await store.writeMetrics(points);
        for (let t = 0; t < 3; t++) {
          const h = await store.getMetricHistory(`s-t${t}`, 'loss');
          expect(h).toHaveLength(4500);
          expect(h[4499]).toEqual(pt(`s-t${t}`, 'loss', 4499, 4499 / 7));
          const summary = (await store.getSummaries(`s-t${t}`)).find((x) => x.key === 'loss');
          expect(summary).toMatchObject({ count: 4500, lastStep: 4499, max: 4499 / 7, min: 0, minStep: 0 });
        }
      });

      it('concurrent writers to the same trial lose no point and no summary update', async () => {
        await seedTrials('s', 2);
        const writes = Array.from({ length: 16 }, (_, w) =>
          store.writeMetrics(
            Array.from({ length: 25 }, (_, i) => pt(`s-t${w % 2}`, 'loss', w * 25 + i, (w * 25 + i) % 37)),
          ),
        );
        await Promise.all(writes);
        for (const t of [0, 1]) {
          const history = await store.getMetricHistory(`s-t${t}`, 'loss');
          expect(history).toHaveLength(200);
          expect((await store.getSummaries(`s-t${t}`))[0]).toEqual(referenceSummary(`s-t${t}`, 'loss', history));
        }
      });

      it('round-trips ids and keys with quotes, backslashes, commas, braces, spaces and unicode', async () => {
        const odd = 'we"ird\\ {id}, NULL ünï ✓';
        await store.createSweep(sweepRecord('s'));
        await store.createTrial(trialRecord(odd, 's', 0));
        const keys = ['a"b', 'c\\d', 'e,f', '{g}', 'NULL', 'h i', 'λ/loss'];
        await store.writeMetrics(keys.map((k, i) => pt(odd, k, i, i)));
        for (const [i, k] of keys.entries()) expect(await store.getMetricHistory(odd, k)).toEqual([pt(odd, k, i, i)]);
        expect((await store.getSummaries(odd)).map((x) => x.key).sort()).toEqual([...keys].sort());
        await store.writeMetrics(keys.map((k, i) => pt(odd, k, i, -i - 1))); // the upsert path too
        expect((await store.getMetricHistory(odd, 'e,f'))[0]?.value).toBe(-3);
      });

      it('rejects points of unknown trials (naming them) and writes nothing of that batch', async () => {
        await seedTrials('s', 1);
        await expectStoreError(
          store.writeMetrics([pt('s-t0', 'loss', 0, 1), pt('ghost', 'loss', 0, 1)]),
          'STORE_NOT_FOUND',
          /ghost/,
        );
        expect(await store.getMetricHistory('s-t0', 'loss')).toEqual([]);
        expect(await store.getSummaries('s-t0')).toEqual([]);
      });

      it('rejects malformed points with STORE_INVALID', async () => {
        await seedTrials('s', 1);
        await expectStoreError(store.writeMetrics([pt('s-t0', 'loss', 1.5, 1)]), 'STORE_INVALID', /step/);
        await expectStoreError(store.writeMetrics([pt('s-t0', '', 1, 1)]), 'STORE_INVALID', /key/);
        await expectStoreError(
          store.writeMetrics([{ ...pt('s-t0', 'k', 1, 1), timestamp: Number.NaN }]),
          'STORE_INVALID',
          /timestamp/,
        );
        expect(await store.getMetricHistory('s-t0', 'loss')).toEqual([]);
      });

      it('downsamples history to maxPoints, keeping the first and the last point', async () => {
        await seedTrials('s', 1);
        await store.writeMetrics(Array.from({ length: 10 }, (_, i) => pt('s-t0', 'm', i * 10, i)));
        const steps = async (maxPoints: number) =>
          (await store.getMetricHistory('s-t0', 'm', { maxPoints })).map((p) => p.step);
        expect(await steps(4)).toEqual([0, 30, 60, 90]);
        expect(await steps(2)).toEqual([0, 90]);
        expect(await steps(9)).toEqual([0, 10, 20, 30, 50, 60, 70, 80, 90]);
        expect(await steps(10)).toHaveLength(10);
        expect(await steps(100)).toHaveLength(10);
        expect(await steps(1)).toEqual([90]);
        await expectStoreError(store.getMetricHistory('s-t0', 'm', { maxPoints: 0 }), 'STORE_INVALID', /maxPoints/);
      });
    });

    describe('artifacts', () => {
      it('adds, lists and replaces by name', async () => {
        await seedTrials('s', 2);
        const a = {
          trialId: 's-t0',
          name: 'model.pt',
          hash: 'sha256:aa',
          size: 5_000_000_000,
          uri: 'file:///x',
          createdAt: 2,
        };
        const b = { trialId: 's-t0', name: 'log.txt', hash: 'md5:bb', size: 10, uri: 'file:///y', createdAt: 1 };
        await store.addArtifact(a);
        await store.addArtifact(b);
        await store.addArtifact({ ...b, trialId: 's-t1' });
        expect(await store.listArtifacts('s-t0')).toEqual([b, a]);
        await store.addArtifact({ ...a, hash: 'sha256:cc', createdAt: 3 });
        expect(await store.listArtifacts('s-t0')).toEqual([b, { ...a, hash: 'sha256:cc', createdAt: 3 }]);
        await expectStoreError(store.addArtifact({ ...a, trialId: 'ghost' }), 'STORE_NOT_FOUND', /ghost/);
      });
    });

    describe('events', () => {
      it('appends and filters by sweep, trial, type, afterId and limit, in append order', async () => {
        const e = (at: number, sweepId: string | null, trialId: string | null, type: string, data: unknown) => ({
          at,
          sweepId,
          trialId,
          type,
          actor: type === 'sweep.created' ? 'alice' : null,
          data,
        });
        const events = [
          e(1, 's1', null, 'sweep.created', { config: { lr: [1, 2] } }),
          e(2, 's1', 't1', 'trial.started', 'a string'),
          e(3, 's2', 't2', 'trial.started', null),
          e(4, 's1', 't1', 'trial.failed', { reason: 'exit 1', ok: false }),
          e(5, null, null, 'store.opened', [1, 'two']),
        ];
        for (const ev of events) await store.appendEvent(ev);
        const all = await store.listEvents({});
        expect(all.map(({ id: _id, ...rest }) => rest)).toEqual(events);
        const ids = all.map((x) => x.id!);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        expect(new Set(ids).size).toBe(5);
        const types = async (f: Parameters<TrackingStore['listEvents']>[0]) =>
          (await store.listEvents(f)).map((x) => x.at);
        expect(await types({ sweepId: 's1' })).toEqual([1, 2, 4]);
        expect(await types({ trialId: 't1' })).toEqual([2, 4]);
        expect(await types({ sweepId: 's1', type: 'trial.failed' })).toEqual([4]);
        expect(await types({ type: ['trial.started', 'store.opened'] })).toEqual([2, 3, 5]);
        expect(await types({ afterId: ids[2]! })).toEqual([4, 5]);
        expect(await types({ sweepId: 's1', limit: 2 })).toEqual([1, 2]);
      });
    });

    describe('saveBatch', () => {
      it('inserts and replaces trial and attempt rows and appends events, in one call', async () => {
        await seedTrials('s', 1);
        const attempt = {
          trialId: 's-t0',
          attempt: 1,
          worker: 'w1',
          status: 'running' as const,
          startedAt: 5,
          endedAt: null,
          exitCode: null,
          signal: null,
          reason: null,
        };
        const many = Array.from({ length: 1203 }, (_, i) => trialRecord(`s-n${i}`, 's', i + 1));
        await store.saveBatch({
          trials: [trialRecord('s-t0', 's', 0, { status: 'running', startedAt: 5, attempts: 1 }), ...many],
          attempts: [attempt],
          events: [
            { at: 1, sweepId: 's', trialId: 's-t0', type: 'trial.started', actor: null, data: { attempt: 1 } },
            { at: 2, sweepId: 's', trialId: null, type: 'note', actor: 'bob', data: null },
          ],
        });
        expect(await store.getTrial('s-t0')).toMatchObject({ status: 'running', startedAt: 5, attempts: 1 });
        expect((await store.countTrials('s')).queued).toBe(1203);
        expect(await store.getTrial('s-n1202')).toEqual(many[1202]);
        expect(await store.listAttempts('s-t0')).toEqual([attempt]);

        const done = { status: 'succeeded' as const, endedAt: 9, exitCode: 0, metricValue: Number.NaN, reason: 'ok' };
        await store.saveBatch({
          trials: [trialRecord('s-t0', 's', 0, { ...done, startedAt: 5, attempts: 1 })],
          attempts: [{ ...attempt, status: 'succeeded', endedAt: 9, exitCode: 0 }],
          events: [],
        });
        expect(await store.getTrial('s-t0')).toMatchObject(done);
        expect(await store.listAttempts('s-t0')).toEqual([
          { ...attempt, status: 'succeeded', endedAt: 9, exitCode: 0 },
        ]);
        expect((await store.listEvents({ sweepId: 's' })).map((e) => [e.type, e.actor, e.data])).toEqual([
          ['trial.started', null, { attempt: 1 }],
          ['note', 'bob', null],
        ]);
        await store.saveBatch({ trials: [], attempts: [], events: [] });
      });

      it('keeps awkward text intact: quotes, backslashes, braces, commas, newlines, unicode, infinities', async () => {
        await store.createSweep(sweepRecord('s'));
        const odd = 'a "quoted", {braced} \\ back\\slash\nnew line, NULL, ünïcødé 🚀';
        const trial = trialRecord('s-odd', 's', 0, {
          params: { 'lr "x"': odd, nested: { list: [1, '{2}', null] }, empty: '' },
          command: ['python', 'train.py', '--name', odd, ''],
          status: 'failed',
          reason: odd,
          signal: 'SIGTERM',
          metricValue: Number.NEGATIVE_INFINITY,
        });
        await store.saveBatch({
          trials: [trial],
          attempts: [],
          events: [{ at: 1, sweepId: 's', trialId: 's-odd', type: 'note', actor: odd, data: { text: odd } }],
        });
        expect(await store.getTrial('s-odd')).toEqual(trial);
        expect((await store.listEvents({ trialId: 's-odd' })).map((e) => [e.actor, e.data])).toEqual([
          [odd, { text: odd }],
        ]);
      });

      it('keeps each row its own JSON columns, nulls included', async () => {
        await store.createSweep(sweepRecord('s'));
        const trials = Array.from({ length: 5 }, (_, i) =>
          trialRecord(`s-${i}`, 's', i, {
            params: { i, list: [i, null, { deep: `v${i}` }] },
            command: i % 2 === 0 ? null : ['run', `--i=${i}`],
          }),
        );
        const datas = [null, { a: null }, [null], 0, 'null'];
        await store.saveBatch({
          trials,
          attempts: [],
          events: datas.map((data, i) => ({ at: i, sweepId: 's', trialId: `s-${i}`, type: 'note', actor: null, data })),
        });
        for (const t of trials) expect(await store.getTrial(t.id)).toEqual(t);
        expect((await store.listEvents({ sweepId: 's' })).map((e) => e.data)).toEqual(datas);
      });

      it('saves a new trial together with its first attempt and events', async () => {
        await store.createSweep(sweepRecord('s'));
        const attempt = {
          trialId: 's-new',
          attempt: 1,
          worker: null,
          status: 'running' as const,
          startedAt: 3,
          endedAt: null,
          exitCode: null,
          signal: null,
          reason: null,
        };
        await store.saveBatch({
          trials: [trialRecord('s-new', 's', 0, { status: 'running', attempts: 1 })],
          attempts: [attempt],
          events: [{ at: 3, sweepId: 's', trialId: 's-new', type: 'trial.started', actor: null, data: null }],
        });
        expect(await store.listAttempts('s-new')).toEqual([attempt]);
        expect(await store.listEvents({ trialId: 's-new' })).toHaveLength(1);
      });

      it('is all or nothing: an attempt of an unknown trial saves none of the batch', async () => {
        await seedTrials('s', 1);
        const ghost = {
          trialId: 'ghost',
          attempt: 1,
          worker: null,
          status: 'running' as const,
          startedAt: 1,
          endedAt: null,
          exitCode: null,
          signal: null,
          reason: null,
        };
        await expectStoreError(
          store.saveBatch({
            trials: [trialRecord('s-t0', 's', 0, { status: 'running' }), trialRecord('s-t1', 's', 1)],
            attempts: [ghost],
            events: [{ at: 1, sweepId: 's', trialId: null, type: 'x', actor: null, data: null }],
          }),
          'STORE_NOT_FOUND',
        );
        expect((await store.getTrial('s-t0'))?.status).toBe('queued');
        expect(await store.getTrial('s-t1')).toBeNull();
        expect(await store.listEvents({ sweepId: 's' })).toEqual([]);
      });
    });

    describe('lifecycle', () => {
      it('close() is idempotent (sequential and concurrent) and later calls fail with STORE_CLOSED', async () => {
        await Promise.all([store.close(), store.close()]);
        await store.close();
        await expectStoreError(store.getSweep('s'), 'STORE_CLOSED');
        await expectStoreError(store.writeMetrics([pt('t', 'k', 0, 1)]), 'STORE_CLOSED');
      });

      it('reopens the same data; migrations are idempotent', async () => {
        await seedTrials('s', 2);
        await store.writeMetrics([pt('s-t0', 'loss', 0, 1), pt('s-t0', 'loss', 1, Number.NaN)]);
        await store.appendEvent({ at: 1, sweepId: 's', trialId: null, type: 'x', actor: null, data: { a: 1 } });
        await store.close();
        for (let i = 0; i < 2; i++) {
          store = await harness.open();
          expect((await store.listTrials('s')).map((t) => t.id)).toEqual(['s-t0', 's-t1']);
          expect((await store.getMetricHistory('s-t0', 'loss')).map((p) => p.value)).toEqual([1, Number.NaN]);
          expect(await store.listEvents({ sweepId: 's' })).toHaveLength(1);
          if (i === 0) await store.close();
        }
        // A writer through the reopened store works and keeps the summary exact.
        await store.writeMetrics([pt('s-t0', 'loss', 2, 0.5)]);
        expect((await store.getSummaries('s-t0'))[0]).toMatchObject({ count: 3, min: 0.5, max: 1, last: 0.5 });
      });
    });
  });
}
