import type { LostAttempt } from '@hyperfleet/transport';
import { describe, expect, it } from 'vitest';
import { collectReports, finishedOf, nodeJob, useAgentHarness, waitFor } from './test-helpers';

const h = useAgentHarness();

const SLEEP_30S = 'setTimeout(() => {}, 30000)';

describe('agent drain, count, idle, close', () => {
  it('drain: takes no new trials and lets a running one finish within the drain timeout', async () => {
    const sweep = 'sw-drain';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ drainTimeoutMs: 5_000 });
    await agent.start();
    const running = nodeJob(sweep, "setTimeout(() => console.log('done=1'), 500)");
    const waiting = nodeJob(sweep, 'process.exit(0)');
    await h.transport.queue.enqueue(running);
    await waitFor(() => stream.of(running.trialId).length > 0);
    await h.transport.queue.enqueue(waiting);

    const exit = await agent.drain();
    expect(exit.reason).toBe('drained');
    expect(finishedOf(stream.reports, running.trialId)?.result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    expect(await h.transport.queue.state('default', waiting.trialId, 1)).toEqual({ state: 'waiting' });
    expect(h.ctl.heartbeats.some((hb) => hb.body.draining && hb.body.status === 'draining')).toBe(true);
    expect(agent.snapshot().state).toBe('closed');
  });

  it('drain timeout: a trial still running is stopped, reported lost and handed back to the queue', async () => {
    const sweep = 'sw-drain-timeout';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const lost: LostAttempt[] = [];
    const watch = h.transport.queue.watchLost((l) => lost.push(l));
    h.cleanups.push(() => watch.close());
    const agent = h.newAgent({ drainTimeoutMs: 300 });
    await agent.start();
    const job = nodeJob(sweep, `console.log('loss=0.5'); ${SLEEP_30S}`);
    await h.transport.queue.enqueue(job);
    await waitFor(() => stream.of(job.trialId).some((r) => r.type === 'metrics'));

    const began = Date.now();
    await agent.drain();
    expect(Date.now() - began).toBeLessThan(3_000);
    const finished = finishedOf(stream.reports, job.trialId);
    expect(finished?.result.outcome).toBe('lost');
    expect(finished?.result.error).toMatch(/handed back by agent .* drain timeout/);
    expect(finished?.result.finalMetrics).toEqual({ loss: 0.5 }); // what it reported before is kept
    const state = await h.transport.queue.state('default', job.trialId, 1);
    expect(state.state).toBe('failed');
    expect(state.failedReason).toMatch(/^handed back: /);
    await waitFor(() => lost.length === 1);
    expect(lost[0]).toMatchObject({ trialId: job.trialId, attempt: 1, cause: 'handed-back' });
  });

  it('a stop request during a drain wins: the trial is reported stopped, not handed back', async () => {
    const sweep = 'sw-drain-stop';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ drainTimeoutMs: 5_000 });
    await agent.start();
    const job = nodeJob(sweep, SLEEP_30S);
    await h.transport.queue.enqueue(job);
    await waitFor(() => stream.of(job.trialId).length > 0);
    const draining = agent.drain();
    await h.transport.control.requestStop(job.trialId);
    await draining;
    expect(finishedOf(stream.reports, job.trialId)?.result.outcome).toBe('stopped');
    expect((await h.transport.queue.state('default', job.trialId, 1)).state).toBe('completed');
  });

  it('--count N: takes exactly N trials, lets them finish, then exits', async () => {
    const sweep = 'sw-count';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const jobs = Array.from({ length: 4 }, () => nodeJob(sweep, 'setTimeout(() => {}, 200)'));
    for (const job of jobs) await h.transport.queue.enqueue(job);
    const agent = h.newAgent({ slots: 3, count: 2 });
    await agent.start();
    const exit = await agent.done;
    expect(exit).toEqual({ reason: 'count', trialsRun: 2 });
    const states = await Promise.all(jobs.map((j) => h.transport.queue.state('default', j.trialId, 1)));
    expect(states.map((s) => s.state)).toEqual(['completed', 'completed', 'waiting', 'waiting']);
  });

  it('--exit-when-idle: exits once nothing ran for the idle period', async () => {
    const sweep = 'sw-idle';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ exitWhenIdleMs: 400 });
    await agent.start();
    const job = nodeJob(sweep, 'setTimeout(() => {}, 300)');
    await h.transport.queue.enqueue(job);
    const exit = await agent.done;
    expect(exit).toEqual({ reason: 'idle', trialsRun: 1 });
    expect(finishedOf(stream.reports, job.trialId)?.result.outcome).toBe('exited');
  });

  it('close(): stops running trials at once (reported lost), is bounded and idempotent', async () => {
    const sweep = 'sw-close';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ slots: 2, drainTimeoutMs: 60_000 });
    await agent.start();
    const jobs = [nodeJob(sweep, SLEEP_30S), nodeJob(sweep, SLEEP_30S)];
    for (const job of jobs) await h.transport.queue.enqueue(job);
    await waitFor(() => agent.snapshot().running.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 150)); // let both processes spawn
    const began = Date.now();
    await Promise.all([agent.close(), agent.close()]);
    await agent.close();
    expect(Date.now() - began).toBeLessThan(3_000);
    for (const job of jobs) {
      expect(finishedOf(stream.reports, job.trialId)?.result).toMatchObject({ outcome: 'lost' });
      expect(finishedOf(stream.reports, job.trialId)?.result.error).toContain('the agent was closed');
    }
    expect((await agent.done).reason).toBe('closed');
  });
});
