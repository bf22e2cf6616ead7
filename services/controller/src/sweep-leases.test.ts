import type { TrialEvent } from '@hyperfleet/engine';
import { openStore, type SqlTrackingStore, type SweepRecord } from '@hyperfleet/store';
import {
  createInProcessTransport,
  type InProcessTransport,
  type TrialJob,
  type TrialQueue,
} from '@hyperfleet/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCoordination } from './memory-coordination';
import { fakeAgent } from './testing/fake-agent';
import { eventually, gridConfig, type Harness, startHarness } from './testing/harness';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function harness(opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(opts);
  cleanups.push(() => h.close());
  return h;
}

async function submit(h: Harness, config = gridConfig(), extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.call('POST', '/api/sweeps?force=true', { body: { config, cwd: '/work', ...extra } });
  expect(res.status).toBe(201);
  return res.body.sweep.id;
}

async function finished(store: SqlTrackingStore, id: string): Promise<SweepRecord> {
  const ended = async () => {
    const s = await store.getSweep(id);
    return s && s.status !== 'running' && s.status !== 'paused' ? s : null;
  };
  return (await eventually(ended, 8000, `sweep ${id} to end`)) as SweepRecord;
}

describe('sweep runtime (in-process transport)', () => {
  it('submit → jobs enqueued → agent reports → sweep finishes; points checked and counted', async () => {
    const events: TrialEvent[] = [];
    const batches: number[] = [];
    const h = await harness({
      hooks: { onMetrics: (_id, points) => batches.push(points.length), onTrialEvent: (e) => events.push(e) },
    });
    const agent = fakeAgent(h.transport, {
      behave: (job) => ({
        points: [
          { key: 'loss', step: 0, value: Number(job.params.x), timestamp: 1 },
          { key: 'loss', step: 1, value: Number.NaN, timestamp: 2 },
          { key: 'loss', step: 1.5, value: 1, timestamp: 3 },
          { key: 'loss', step: 2e12, value: 1, timestamp: 3 },
          { key: 'loss', step: 3, value: 'oops' as unknown as number, timestamp: 3 },
        ],
      }),
    });
    cleanups.push(() => agent.handle.close());
    const id = await submit(h);
    const sweep = await finished(h.store, id);
    expect(sweep.status).toBe('finished');
    const trials = await h.store.listTrials(id, { rankBy: 'minimize' });
    expect(trials.map((t) => [t.params.x, t.status, t.attempts])).toEqual([
      [1, 'succeeded', 1],
      [2, 'succeeded', 1],
      [3, 'succeeded', 1],
    ]);
    expect(agent.ran.map((j) => j.cwd)).toEqual(['/work', '/work', '/work']);
    expect(agent.ran[0]?.argv.slice(-2)).toEqual(['train.mjs', expect.stringMatching(/^--x=\d$/)]);
    const points = await h.store.getMetricHistory(`${id}-0`, 'loss');
    expect(points.map((p) => p.step)).toEqual([0, 1]);
    expect(points[1]?.value).toBeNaN();
    const attempts = await h.store.listAttempts(`${id}-0`);
    expect(attempts).toMatchObject([{ attempt: 1, worker: 'agent-1', status: 'succeeded' }]);
    const prom = await h.call('GET', '/metrics', { token: null });
    expect(prom.body).toContain('hyperfleet_metric_points_ingested_total 6');
    expect(prom.body).toContain('hyperfleet_metric_points_dropped_total{reason="step_not_integer"} 3');
    expect(prom.body).toContain('hyperfleet_metric_points_dropped_total{reason="step_too_large"} 3');
    expect(prom.body).toContain('hyperfleet_metric_points_dropped_total{reason="bad_value"} 3');
    // …and each trial's record says what it lost (issue 16: nothing dropped without a word).
    const dropped = { step_not_integer: 1, step_too_large: 1, bad_value: 1 };
    for (const i of [0, 1, 2]) expect((await h.store.getTrial(`${id}-${i}`))?.droppedPoints).toEqual(dropped);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(6);
    expect(events.filter((e) => e.type === 'trial.finished')).toHaveLength(3);
    expect(events.every((e) => e.sweepId === id)).toBe(true);
  });

  it('a lost attempt runs again as attempt 2 under a new job id; the dead attempt’s points are archived', async () => {
    const h = await harness();
    const killer = fakeAgent(h.transport, {
      agentId: 'doomed',
      slots: 1,
      behave: () => ({ points: [{ key: 'loss', step: 0, value: 9, timestamp: 1 }], holdMs: 10_000 }),
    });
    const id = await submit(h, gridConfig({ parameters: { x: { values: [1] } }, retries: 1 }));
    await eventually(async () => (await h.store.getSummaries(`${id}-0`)).length > 0, 3000, 'first attempt metrics');
    (killer.handle as unknown as { kill(): void }).kill();
    const healthy = fakeAgent(h.transport, { agentId: 'healthy' });
    cleanups.push(() => healthy.handle.close());
    const sweep = await finished(h.store, id);
    expect(sweep.status).toBe('finished');
    expect(healthy.ran.map((j) => j.attempt)).toEqual([2]);
    const trial = await h.store.getTrial(`${id}-0`);
    expect(trial).toMatchObject({ status: 'succeeded', attempts: 2, metricValue: 1 });
    const attempts = await h.store.listAttempts(`${id}-0`);
    expect(attempts.map((a) => [a.attempt, a.worker, a.status])).toEqual([
      [1, 'doomed', 'failed'],
      [2, 'healthy', 'succeeded'],
    ]);
    const archived = await h.store.listArchivedMetrics(`${id}-0`);
    expect(archived.map((p) => [p.attempt, p.value])).toEqual([[1, 9]]);
  });

  it('reconciles a job the queue lost (Redis flushed): enqueued again from the store', async () => {
    const inner = createInProcessTransport({ reports: { retryDelayMs: 20 } });
    let dropped = 0;
    // A queue that silently loses the first enqueue of every job, as a flushed Redis would.
    const seen = new Set<string>();
    const queue: TrialQueue = {
      ...inner.queue,
      enqueue: async (job: TrialJob) => {
        const key = `${job.trialId}.${job.attempt}`;
        if (!seen.has(key)) {
          seen.add(key);
          dropped++;
          return;
        }
        await inner.queue.enqueue(job);
      },
      enqueueMany: async (jobs) => {
        for (const job of jobs) await queue.enqueue(job);
      },
    };
    const transport: InProcessTransport = { ...inner, queue };
    const h = await harness({ transport });
    cleanups.push(() => inner.close());
    const agent = fakeAgent(inner);
    cleanups.push(() => agent.handle.close());
    const id = await submit(h);
    const sweep = await finished(h.store, id);
    expect(sweep.status).toBe('finished');
    expect(dropped).toBe(3);
    expect(agent.ran.map((j) => j.trialId).sort()).toEqual([`${id}-0`, `${id}-1`, `${id}-2`]);
  });

  it('a sweep with room for many trials saves and enqueues them a chunk at a time, and runs them all', async () => {
    const inner = createInProcessTransport({ reports: { retryDelayMs: 20 } });
    cleanups.push(() => inner.close());
    const bulks: number[] = [];
    const queue: TrialQueue = {
      ...inner.queue,
      enqueueMany: async (jobs) => {
        bulks.push(jobs.length);
        await inner.queue.enqueueMany(jobs);
      },
    };
    const h = await harness({ transport: { ...inner, queue }, runtime: { fillChunk: 2 } });
    // Each trial holds its slot for 2 s: all 7 start well before any ends only if the chunks follow each other.
    const agent = fakeAgent(inner, { slots: 8, behave: () => ({ holdMs: 2000 }) });
    cleanups.push(() => agent.handle.close());
    const xs = [1, 2, 3, 4, 5, 6, 7];
    const id = await submit(h, gridConfig({ parallel: 7, parameters: { x: { values: xs } } }));
    await eventually(async () => agent.ran.length === 7, 1500, 'all seven trials running at once');
    expect((await finished(h.store, id)).status).toBe('finished');
    expect(bulks.every((n) => n <= 2)).toBe(true);
    expect(bulks.reduce((a, b) => a + b, 0)).toBe(7);
    expect(agent.ran.map((j) => j.params.x).sort()).toEqual(xs);
  });

  it('restart mid-sweep: a new runtime on the same store and transport finishes it with no duplicates', async () => {
    const store = await openStore(':memory:');
    const transport = createInProcessTransport({ reports: { retryDelayMs: 20 } });
    const coordination = new MemoryCoordination();
    cleanups.push(
      () => store.close(),
      () => transport.close(),
    );
    const first = await startHarness({ store, transport, coordination });
    const slow = fakeAgent(transport, {
      slots: 1,
      behave: (job) => ({ points: [{ key: 'loss', step: 0, value: Number(job.params.x), timestamp: 1 }], holdMs: 300 }),
    });
    cleanups.push(() => slow.handle.close());
    const id = await submit(first, gridConfig({ parameters: { x: { values: [1, 2, 3, 4] } } }));
    await eventually(async () => (await store.countTrials(id)).running === 1, 3000, 'a running trial');
    await first.close(); // releases the lock; agents keep running, reports wait in the stream
    const second = await harness({ store, transport, coordination });
    expect(second.ctl.runtime.leading()).toEqual([id]);
    const sweep = await finished(store, id);
    expect(sweep.status).toBe('finished');
    const trials = await store.listTrials(id);
    expect(trials).toHaveLength(4);
    expect(trials.every((t) => t.status === 'succeeded' && t.attempts === 1)).toBe(true);
    expect(slow.ran.map((j) => j.trialId).sort()).toEqual(trials.map((t) => t.id).sort());
    for (const t of trials) {
      const attempts = await store.listAttempts(t.id);
      expect(attempts.map((a) => a.status)).toEqual(['succeeded']);
    }
  });

  it('two runtimes share a lock: exactly one schedules a sweep; the other takes over when it goes', async () => {
    const store = await openStore(':memory:');
    const transport = createInProcessTransport({ reports: { retryDelayMs: 20 } });
    const coordination = new MemoryCoordination();
    cleanups.push(
      () => store.close(),
      () => transport.close(),
    );
    const a = await startHarness({ store, transport, coordination });
    const b = await harness({ store, transport, coordination });
    const id = await submit(a, gridConfig({ parameters: { x: { values: [1, 2, 3, 4] } }, parallel: 1 }));
    await new Promise((r) => setTimeout(r, 200)); // several ticks of b
    expect(a.ctl.runtime.leading()).toEqual([id]);
    expect(b.ctl.runtime.leading()).toEqual([]);
    // A control request on b is forwarded to a.
    const paused = await b.call('POST', `/api/sweeps/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.sweep.status).toBe('paused');
    await a.close();
    await eventually(() => b.ctl.runtime.leading().includes(id), 3000, 'b takes over');
    expect((await store.getSweep(id))?.status).toBe('paused');
    await b.call('POST', `/api/sweeps/${id}/resume`);
    const agent = fakeAgent(transport);
    cleanups.push(() => agent.handle.close());
    expect((await finished(store, id)).status).toBe('finished');
    expect(agent.ran).toHaveLength(4);
  });

  it('stop = no new trials; a restart does not start new ones either', async () => {
    const store = await openStore(':memory:');
    const transport = createInProcessTransport({ reports: { retryDelayMs: 20 } });
    const coordination = new MemoryCoordination();
    cleanups.push(
      () => store.close(),
      () => transport.close(),
    );
    const first = await startHarness({ store, transport, coordination });
    const id = await submit(first, gridConfig({ parameters: { x: { values: [1, 2, 3, 4] } }, parallel: 2 }));
    await eventually(async () => (await store.listTrials(id)).length === 2, 2000, 'two trials');
    await first.call('POST', `/api/sweeps/${id}/stop`);
    await first.close();
    const second = await harness({ store, transport, coordination });
    const agent = fakeAgent(transport);
    cleanups.push(() => agent.handle.close());
    expect((await finished(store, id)).status).toBe('finished');
    expect(await store.listTrials(id)).toHaveLength(2);
    void second;
  });

  it('retry-failed re-runs failed trials as their next attempt', async () => {
    const h = await harness();
    let fail = true;
    const agent = fakeAgent(h.transport, {
      behave: (job) => ({
        exitCode: fail && job.params.x === 2 ? 1 : 0,
        points: [{ key: 'loss', step: 0, value: 1, timestamp: 1 }],
      }),
    });
    cleanups.push(() => agent.handle.close());
    const id = await submit(h);
    await finished(h.store, id);
    expect((await h.store.countTrials(id)).failed).toBe(1);
    fail = false;
    const res = await h.call('POST', `/api/sweeps/${id}/retry-failed`);
    expect(res.status).toBe(200);
    expect((await finished(h.store, id)).status).toBe('finished');
    const trials = await h.store.listTrials(id);
    expect(trials.map((t) => [t.status, t.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 2],
      ['succeeded', 1],
    ]);
    expect(agent.ran).toHaveLength(4);
    const again = await h.call('POST', `/api/sweeps/${id}/retry-failed`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('NOTHING_TO_RETRY');
  });

  it('a runner whose save failed writes nothing more: its unsaved rows never land over its successor', async () => {
    const inner = await openStore(':memory:');
    cleanups.push(() => inner.close());
    // The save of the first ended trial fails, as a cut Postgres connection fails it; it waits to fail until
    // released, so a second unit of work queues up behind it on the same runner.
    let release: () => void = () => {};
    let reached: () => void = () => {};
    const failing = new Promise<void>((r) => {
      reached = r;
    });
    let armed = true;
    const store = new Proxy(inner, {
      get(target, key, receiver) {
        if (key === 'saveBatch')
          return async (batch: Parameters<SqlTrackingStore['saveBatch']>[0]) => {
            if (armed && batch.trials.some((t) => t.status === 'succeeded')) {
              armed = false;
              reached();
              await new Promise<void>((r) => {
                release = r;
              });
              throw new Error('Connection terminated unexpectedly');
            }
            return target.saveBatch(batch);
          };
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    // No lease ticks of their own: the successor takes the sweep over only when the test calls tick().
    const h = await harness({ store, runtime: { tickMs: 600_000 } });
    const agent = fakeAgent(h.transport, { slots: 1 });
    cleanups.push(() => agent.handle.close());
    const id = await submit(h, gridConfig({ parameters: { x: { values: [1, 2] } } }));
    await failing;
    // Queued behind the failing save; it fails with it (nothing of that runner may be saved any more).
    const pause = h.call('POST', `/api/sweeps/${id}/pause`);
    await new Promise((r) => setTimeout(r, 100));
    release();
    expect((await pause).status).toBeGreaterThanOrEqual(500);
    // Before anyone recovers the sweep, the ended trial is still what the store had: running, not the rows
    // the failed runner kept in memory.
    expect((await inner.listTrials(id, { status: ['succeeded'] })).length).toBe(0);
    // Its successor recovers the sweep from the store and ends it from the redelivered reports, each trial once.
    await h.ctl.runtime.tick();
    await finished(inner, id);
    const trials = await inner.listTrials(id);
    expect(trials.map((t) => [t.status, t.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
  }, 20_000);
});
