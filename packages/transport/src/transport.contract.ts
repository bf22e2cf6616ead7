import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LostAttempt, LostAttemptError, STALLED_REASON } from './lost-attempt';
import type { AgentReport, ConsumerHandle, Transport, TrialJob } from './ports';
import { deferred, eventually, trialJob } from './testing/trial-job';

/** One namespace per test (a unique Redis prefix, a fresh in-process broker). */
export interface TransportHarness {
  /** Another "process" on this test's namespace (in-process: the same shared object). Closed by cleanup. */
  open(): Transport;
  /** An agent in a separate process taking one job of `pool` and never finishing it. */
  startDoomedAgent(pool: string): Promise<{ started: Promise<string>; kill(): Promise<void> }>;
  /** Wipes the whole backend as a Redis restart without persistence would; absent where that cannot happen. */
  flush?: () => Promise<void>;
  /** How long lost detection may take. */
  lostWithinMs: number;
  /** How far past `maxChunksPerTrial` a log may grow (Redis trims approximately). */
  logSlack: number;
  /** The log bound the harness configured. */
  maxChunksPerTrial: number;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function metrics(trialId: string, step: number, value = step): AgentReport {
  return { type: 'metrics', trialId, attempt: 1, points: [{ key: 'loss', step, value, timestamp: 1000 + step }] };
}

/** The same behavioural suite for every adapter. */
export function describeTransportContract(name: string, makeHarness: () => Promise<TransportHarness>): void {
  describe(`transport contract: ${name}`, () => {
    let h: TransportHarness;
    let t: Transport;
    const handles: ConsumerHandle[] = [];
    const consume = (pool: string, concurrency: number, handler: (job: TrialJob) => Promise<void>, agentId = 'a1') => {
      const handle = t.consumer.consume({ pool, concurrency, agentId }, handler);
      handles.push(handle);
      return handle;
    };

    beforeEach(async () => {
      h = await makeHarness();
      t = h.open();
    });
    afterEach(async () => {
      await Promise.allSettled(handles.splice(0).map((x) => x.close()));
      await h.cleanup();
    });

    describe('trial queue', () => {
      it('enqueue is idempotent per (trial, attempt), also after the job finished', async () => {
        await t.queue.enqueue(trialJob('t1'));
        await t.queue.enqueue(trialJob('t1'));
        await t.queue.enqueue(trialJob('t1', { attempt: 2 }));
        expect(await t.queue.depth('default')).toEqual({ waiting: 2, active: 0 });
        const seen: string[] = [];
        consume('default', 1, async (j) => {
          seen.push(`${j.trialId}.${j.attempt}`);
        });
        await eventually(async () => (await t.queue.state('default', 't1', 2)).state === 'completed');
        await t.queue.enqueue(trialJob('t1'));
        await sleep(200);
        expect(seen).toEqual(['t1.1', 't1.2']);
        expect(await t.queue.state('default', 't1', 1)).toEqual({ state: 'completed' });
      });

      it('enqueueMany adds jobs of several pools at once, idempotent per job like enqueue', async () => {
        await t.queue.enqueue(trialJob('m0'));
        await t.queue.enqueueMany([trialJob('m0'), trialJob('m1'), trialJob('m2', { pool: 'gpu' }), trialJob('m1')]);
        expect(await t.queue.depth('default')).toEqual({ waiting: 2, active: 0 });
        expect(await t.queue.depth('gpu')).toEqual({ waiting: 1, active: 0 });
        const seen: string[] = [];
        consume('default', 1, async (j) => {
          seen.push(j.trialId);
        });
        await eventually(async () => seen.length === 2);
        await t.queue.enqueueMany([trialJob('m0')]);
        await sleep(200);
        expect(seen).toEqual(['m0', 'm1']);
      });

      it('delivers the job as enqueued, FIFO per pool', async () => {
        for (let i = 0; i < 5; i++) await t.queue.enqueue(trialJob(`t${i}`, { env: { I: String(i) } }));
        const seen: TrialJob[] = [];
        consume('default', 1, async (j) => {
          seen.push(j);
        });
        await eventually(() => seen.length === 5);
        expect(seen.map((j) => j.trialId)).toEqual(['t0', 't1', 't2', 't3', 't4']);
        expect(seen[2]).toEqual(trialJob('t2', { env: { I: '2' } }));
      });

      it('keeps pools apart', async () => {
        await t.queue.enqueue(trialJob('g1', { pool: 'gpu' }));
        await t.queue.enqueue(trialJob('c1', { pool: 'cpu' }));
        const seen: string[] = [];
        consume('cpu', 2, async (j) => {
          seen.push(j.trialId);
        });
        await eventually(async () => (await t.queue.state('cpu', 'c1', 1)).state === 'completed');
        await sleep(100);
        expect(seen).toEqual(['c1']);
        expect(await t.queue.depth('gpu')).toEqual({ waiting: 1, active: 0 });
        expect((await t.queue.state('gpu', 'g1', 1)).state).toBe('waiting');
        expect((await t.queue.state('cpu', 'g1', 1)).state).toBe('missing');
      });

      it('cancels only waiting jobs', async () => {
        const release = deferred();
        await t.queue.enqueue(trialJob('run'));
        await t.queue.enqueue(trialJob('wait'));
        const seen: string[] = [];
        consume('default', 1, async (j) => {
          seen.push(j.trialId);
          if (j.trialId === 'run') await release.promise;
        });
        await eventually(async () => (await t.queue.state('default', 'run', 1)).state === 'active');
        expect(await t.queue.cancel('default', 'run', 1)).toBe(false);
        expect(await t.queue.cancel('default', 'wait', 1)).toBe(true);
        expect(await t.queue.cancel('default', 'wait', 1)).toBe(false);
        expect(await t.queue.cancel('default', 'nope', 1)).toBe(false);
        expect(await t.queue.state('default', 'wait', 1)).toEqual({ state: 'missing' });
        release.resolve();
        await eventually(async () => (await t.queue.state('default', 'run', 1)).state === 'completed');
        expect(await t.queue.cancel('default', 'run', 1)).toBe(false);
        await sleep(100);
        expect(seen).toEqual(['run']);
      });

      it('reports state transitions and failures; watchLost says why an attempt ended without success', async () => {
        const lost: LostAttempt[] = [];
        const watch = t.queue.watchLost((l) => lost.push(l));
        await sleep(300); // event readers start listening
        const gate = deferred();
        await t.queue.enqueue(trialJob('ok'));
        await t.queue.enqueue(trialJob('bad'));
        await t.queue.enqueue(trialJob('back'));
        expect(await t.queue.state('default', 'ok', 1)).toEqual({ state: 'waiting' });
        consume('default', 1, async (j) => {
          if (j.trialId === 'ok') await gate.promise;
          if (j.trialId === 'bad') throw new Error('payload failed validation');
          if (j.trialId === 'back') throw new LostAttemptError('agent draining');
        });
        await eventually(async () => (await t.queue.state('default', 'ok', 1)).state === 'active');
        expect(await t.queue.depth('default')).toEqual({ waiting: 2, active: 1 });
        gate.resolve();
        await eventually(async () => (await t.queue.state('default', 'back', 1)).state === 'failed');
        expect(await t.queue.state('default', 'ok', 1)).toEqual({ state: 'completed' });
        expect(await t.queue.state('default', 'bad', 1)).toEqual({
          state: 'failed',
          failedReason: 'payload failed validation',
        });
        expect(await t.queue.state('default', 'back', 1)).toEqual({
          state: 'failed',
          failedReason: 'handed back: agent draining',
        });
        await eventually(() => lost.length >= 2, 5000, 'lost events');
        expect(lost).toEqual(
          expect.arrayContaining([
            { pool: 'default', trialId: 'bad', attempt: 1, reason: 'payload failed validation', cause: 'error' },
            {
              pool: 'default',
              trialId: 'back',
              attempt: 1,
              reason: 'handed back: agent draining',
              cause: 'handed-back',
            },
          ]),
        );
        await watch.close();
      });

      it('honours the concurrency limit across consumers', async () => {
        for (let i = 0; i < 8; i++) await t.queue.enqueue(trialJob(`t${i}`));
        let running = 0;
        let peak = 0;
        let done = 0;
        const handler = async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(80);
          running--;
          done++;
        };
        consume('default', 2, handler, 'a1');
        consume('default', 1, handler, 'a2');
        await eventually(() => done === 8, 10_000);
        expect(peak).toBeLessThanOrEqual(3);
        expect(peak).toBeGreaterThanOrEqual(2);
      });

      it('drain lets running handlers finish and takes nothing new', async () => {
        for (let i = 0; i < 4; i++) await t.queue.enqueue(trialJob(`t${i}`));
        const started: string[] = [];
        const gate = deferred();
        const handle = consume('default', 2, async (j) => {
          started.push(j.trialId);
          await gate.promise;
        });
        await eventually(() => started.length === 2);
        let drained = false;
        const draining = handle.drain().then(() => {
          drained = true;
        });
        await sleep(150);
        expect(drained).toBe(false);
        gate.resolve();
        await draining;
        await sleep(200);
        expect(started).toEqual(['t0', 't1']);
        expect(await t.queue.depth('default')).toEqual({ waiting: 2, active: 0 });
        expect((await t.queue.state('default', 't1', 1)).state).toBe('completed');
      });

      it('detects an agent that died mid-trial: watchLost fires and state() says failed/stalled', async () => {
        const lost: LostAttempt[] = [];
        const watch = t.queue.watchLost((l) => lost.push(l));
        await sleep(300);
        const agent = await h.startDoomedAgent('default');
        await t.queue.enqueue(trialJob('doomed'));
        expect(await agent.started).toBe('doomed.a1');
        expect((await t.queue.state('default', 'doomed', 1)).state).toBe('active');
        await agent.kill();
        await eventually(() => lost.some((l) => l.trialId === 'doomed'), h.lostWithinMs, 'the lost attempt');
        expect(lost.find((l) => l.trialId === 'doomed')).toEqual({
          pool: 'default',
          trialId: 'doomed',
          attempt: 1,
          reason: STALLED_REASON,
          cause: 'stalled',
        });
        expect(await t.queue.state('default', 'doomed', 1)).toEqual({ state: 'failed', failedReason: STALLED_REASON });
        // Attempt 2 runs normally under its own id, and the dead attempt is never re-run.
        const seen: string[] = [];
        consume('default', 1, async (j) => {
          seen.push(`${j.trialId}.a${j.attempt}`);
        });
        await t.queue.enqueue(trialJob('doomed', { attempt: 2 }));
        await eventually(async () => (await t.queue.state('default', 'doomed', 2)).state === 'completed');
        expect(seen).toEqual(['doomed.a2']);
        expect((await t.queue.state('default', 'doomed', 1)).state).toBe('failed');
        await watch.close();
      });

      it('refuses pool names and ids the keys cannot carry', async () => {
        await expect(t.queue.enqueue(trialJob('a:b'))).rejects.toMatchObject({ code: 'TRANSPORT_INVALID' });
        await expect(t.queue.enqueue(trialJob('ok', { pool: 'gpu:1' }))).rejects.toMatchObject({
          code: 'TRANSPORT_INVALID',
        });
        await expect(t.queue.enqueue(trialJob('ok', { attempt: 0 }))).rejects.toMatchObject({
          code: 'TRANSPORT_INVALID',
        });
        expect(() => t.consumer.consume({ pool: 'a b', concurrency: 1, agentId: 'x' }, async () => {})).toThrow(
          /invalid pool/,
        );
      });
    });

    describe('report stream', () => {
      it('delivers reports in order, in batches, with non-finite numbers intact', async () => {
        const got: AgentReport[] = [];
        let calls = 0;
        for (let i = 0; i < 50; i++) await t.reports.publish('sw1', [metrics('t1', 2 * i), metrics('t1', 2 * i + 1)]);
        await t.reports.publish('sw1', [
          {
            type: 'metrics',
            trialId: 't1',
            attempt: 1,
            points: [
              { key: 'a', step: 1, value: Number.NaN, timestamp: 1 },
              { key: 'b', step: 1, value: Number.POSITIVE_INFINITY, timestamp: 1 },
              { key: 'c', step: 1, value: Number.NEGATIVE_INFINITY, timestamp: 1 },
              { key: 'd', step: 1, value: -0.5, timestamp: 1 },
            ],
          },
          {
            type: 'finished',
            trialId: 't1',
            attempt: 1,
            agentId: 'a1',
            at: 5,
            result: {
              outcome: 'exited',
              exitCode: 0,
              signal: null,
              error: null,
              durationMs: 10,
              finalMetrics: { loss: Number.NaN, acc: 0.9 },
              malformedLines: 0,
            },
          },
        ]);
        const sub = t.reports.subscribe('sw1', 'c1', async (batch) => {
          calls++;
          got.push(...batch);
        });
        await eventually(() => got.length === 102);
        expect(calls).toBeLessThan(102);
        const steps = got.slice(0, 100).map((r) => (r.type === 'metrics' ? r.points[0]?.step : -1));
        expect(steps).toEqual(Array.from({ length: 100 }, (_, i) => i));
        const special = got[100];
        expect(special?.type === 'metrics' && special.points.map((p) => p.value)).toEqual([
          Number.NaN,
          Number.POSITIVE_INFINITY,
          Number.NEGATIVE_INFINITY,
          -0.5,
        ]);
        const fin = got[101];
        expect(fin?.type === 'finished' && fin.result.finalMetrics).toEqual({ loss: Number.NaN, acc: 0.9 });
        // Live delivery after the backlog.
        await t.reports.publish('sw1', [metrics('t2', 0)]);
        await eventually(() => got.length === 103);
        await sub.close();
      });

      it('redelivers a batch whose handler failed, keeping order', async () => {
        const got: number[] = [];
        let failOnce = true;
        const sub = t.reports.subscribe('sw2', 'c1', async (batch) => {
          if (failOnce) {
            failOnce = false;
            throw new Error('store down');
          }
          for (const r of batch) if (r.type === 'metrics') got.push(r.points[0]!.step);
        });
        for (let i = 0; i < 5; i++) await t.reports.publish('sw2', [metrics('t1', i)]);
        await eventually(() => got.length >= 5, 8000);
        expect(got).toEqual([0, 1, 2, 3, 4]);
        await sub.close();
      });

      it('redelivers unacknowledged reports after the consumer died before ack (at-least-once)', async () => {
        const first = deferred<AgentReport[]>();
        const dying = t.reports.subscribe('sw3', 'c1', (batch) => {
          first.resolve(batch);
          return new Promise(() => {}); // never acknowledged
        });
        await t.reports.publish('sw3', [metrics('t1', 0), metrics('t1', 1)]);
        expect((await first.promise).length).toBe(2);
        await dying.close();
        // The restarted controller (same consumer name) gets them again, then new ones, in order.
        const again = h.open();
        const got: number[] = [];
        const sub = again.reports.subscribe('sw3', 'c1', async (batch) => {
          for (const r of batch) if (r.type === 'metrics') got.push(r.points[0]!.step);
        });
        await again.reports.publish('sw3', [metrics('t1', 2)]);
        await eventually(() => got.length >= 3, 8000);
        expect(got).toEqual([0, 1, 2]);
        await sub.close();
      });

      it('the next owner takes over what a dead one left unacknowledged, before anything newer', async () => {
        const first = deferred();
        const dying = t.reports.subscribe('sw4', 'c1', () => {
          first.resolve();
          return new Promise(() => {});
        });
        await t.reports.publish('sw4', [metrics('t1', 0)]);
        await first.promise;
        await dying.close();
        // Published while nobody consumes: it must not overtake the unacknowledged batch (a trial's end its start).
        await t.reports.publish('sw4', [metrics('t1', 1)]);
        const got: number[] = [];
        const sub = h.open().reports.subscribe('sw4', 'c2', async (batch) => {
          for (const r of batch) if (r.type === 'metrics') got.push(r.points[0]!.step);
        });
        await eventually(() => got.length >= 2, 5_000);
        expect(got).toEqual([0, 1]);
        await sub.close();
      });

      it('keeps sweeps apart', async () => {
        const a: string[] = [];
        const b: string[] = [];
        const sa = t.reports.subscribe('swa', 'c1', async (batch) => void a.push(...batch.map((r) => r.trialId)));
        const sb = t.reports.subscribe('swb', 'c1', async (batch) => void b.push(...batch.map((r) => r.trialId)));
        await t.reports.publish('swa', [metrics('ta', 0)]);
        await t.reports.publish('swb', [metrics('tb', 0)]);
        await eventually(() => a.length === 1 && b.length === 1);
        expect([a, b]).toEqual([['ta'], ['tb']]);
        await Promise.all([sa.close(), sb.close()]);
      });

      it('recovers when the backend is wiped under a running consumer (NOGROUP; skipped in-process: nothing to wipe)', async (ctx) => {
        // Only a backend that can lose its state (Redis) can be wiped; the in-process transport has none.
        if (!h.flush) return ctx.skip();
        const got: number[] = [];
        const sub = t.reports.subscribe('sw5', 'c1', async (batch) => {
          for (const r of batch) if (r.type === 'metrics') got.push(r.points[0]!.step);
        });
        await t.reports.publish('sw5', [metrics('t1', 0)]);
        await eventually(() => got.length === 1);
        await h.flush();
        await sleep(300);
        await t.reports.publish('sw5', [metrics('t1', 1)]);
        await eventually(() => got.length === 2, 10_000, 'delivery after the flush');
        expect(got).toEqual([0, 1]);
        await sub.close();
      });
    });

    describe('control channel', () => {
      it('tells a new subscriber the stops already in force, then says it is listening', async () => {
        await t.control.requestStop('early');
        const heard: string[] = [];
        const sub = h.open().control.onStop((id) => heard.push(id));
        await eventually(() => sub.listeningSince() !== null, 5000, 'listening');
        expect(heard).toContain('early');
        expect(sub.listeningSince()).toBeLessThanOrEqual(Date.now());
        await t.control.requestStop('late');
        await eventually(() => heard.includes('late'), 5000, 'the new stop');
        await sub.close();
        expect(sub.listeningSince()).toBeNull();
      });

      it('records stop requests and nudges listeners', async () => {
        const heard: string[] = [];
        const listener = t.control.onStop((id) => heard.push(id));
        expect(await t.control.isStopRequested('t1')).toBe(false);
        // The subscription may take a moment to become active; the key is what an agent re-checks anyway.
        await eventually(async () => {
          await t.control.requestStop('t1');
          return heard.includes('t1');
        }, 5000);
        expect(await t.control.isStopRequested('t1')).toBe(true);
        expect(await t.control.isStopRequested('t2')).toBe(false);
        expect(await h.open().control.isStopRequested('t1')).toBe(true);
        await listener.close();
        const count = heard.length;
        await t.control.requestStop('t3');
        await sleep(100);
        expect(heard.length).toBe(count);
      });
    });

    describe('log stream', () => {
      it('reads from a cursor, waits for new output, and stays bounded per trial', async () => {
        await t.logs.append('t1', 'line 1\n');
        await t.logs.append('t1', 'line 2\n');
        const first = await t.logs.read('t1', '0');
        expect(first.chunks).toEqual(['line 1\n', 'line 2\n']);
        expect(await t.logs.read('t1', first.cursor)).toEqual({ chunks: [], cursor: first.cursor });
        setTimeout(() => void t.logs.append('t1', 'line 3\n'), 100);
        const started = Date.now();
        const next = await t.logs.read('t1', first.cursor, 3000);
        expect(next.chunks).toEqual(['line 3\n']);
        expect(Date.now() - started).toBeLessThan(2500);
        const empty = await t.logs.read('t1', next.cursor, 100);
        expect(empty).toEqual({ chunks: [], cursor: next.cursor });
        expect((await t.logs.read('other', '0')).chunks).toEqual([]);

        const n = h.maxChunksPerTrial;
        for (let i = 0; i < n * 3 + 250; i++) await t.logs.append('t2', `c${i}\n`);
        const all = await t.logs.read('t2', '0');
        expect(all.chunks.length).toBeGreaterThanOrEqual(n);
        expect(all.chunks.length).toBeLessThanOrEqual(n + h.logSlack);
        expect(all.chunks[all.chunks.length - 1]).toBe(`c${n * 3 + 249}\n`);
      });

      it('splits an oversize chunk instead of growing without bound', async () => {
        await t.logs.append('t1', 'x'.repeat(40_000));
        const { chunks } = await t.logs.read('t1', '0');
        expect(chunks.join('')).toBe('x'.repeat(40_000));
        expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(16_384);
      });
    });

    describe('close', () => {
      it('is idempotent, bounded with a hanging handler, and refuses calls afterwards', async () => {
        await t.queue.enqueue(trialJob('hang'));
        const started = deferred();
        consume('default', 1, () => {
          started.resolve();
          return new Promise(() => {});
        });
        await started.promise;
        const sub = t.reports.subscribe('sw6', 'c1', async () => {});
        t.control.onStop(() => {});
        const reading = t.logs.read('t1', '0', 5000);
        const begin = Date.now();
        await Promise.all([t.close(), t.close()]);
        await t.close();
        expect(Date.now() - begin).toBeLessThan(8000);
        await sub.close();
        await expect(reading).resolves.toMatchObject({ chunks: [] });
        await expect(t.queue.enqueue(trialJob('late'))).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
      });
    });
  });
}
