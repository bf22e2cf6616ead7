import { describe, expect, it } from 'vitest';
import { collectReports, finishedOf, nodeJob, useAgentHarness, waitFor } from './test-helpers';

const h = useAgentHarness();

describe('agent', () => {
  it('registers, runs trials with at most `slots` at once, and reports started → metrics → finished in order', async () => {
    const sweep = 'sw-slots';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ slots: 2, pool: 'default' });
    const registration = await agent.start();
    expect(registration.heartbeatMs).toBe(100);
    expect(h.ctl.registrations[0]).toMatchObject({ pool: 'default', slots: 2, gpus: [] });

    const script = "for (let i = 0; i < 3; i++) console.log('loss=' + i); setTimeout(() => {}, 300)";
    const jobs = Array.from({ length: 5 }, () => nodeJob(sweep, script));
    for (const job of jobs) await h.transport.queue.enqueue(job);
    await waitFor(() => jobs.every((j) => finishedOf(stream.reports, j.trialId)), 15_000);

    // Slot occupancy from the agent's own timestamps: never more than 2 between started and finished.
    const events = stream.reports
      .flatMap((r) => (r.type === 'started' ? [[r.at, 1]] : r.type === 'finished' ? [[r.at, -1]] : []))
      .sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
    let now = 0;
    let max = 0;
    for (const [, delta] of events) {
      now += delta as number;
      max = Math.max(max, now);
    }
    expect(max).toBe(2);

    for (const job of jobs) {
      const mine = stream.of(job.trialId);
      expect(mine[0]?.type).toBe('started');
      expect(mine.at(-1)?.type).toBe('finished');
      expect(mine.filter((r) => r.type === 'started' || r.type === 'finished')).toHaveLength(2);
      const points = mine.flatMap((r) => (r.type === 'metrics' ? r.points : []));
      expect(points.map((p) => [p.key, p.step, p.value])).toEqual([
        ['loss', 0, 0],
        ['loss', 1, 1],
        ['loss', 2, 2],
      ]);
      const finished = finishedOf(mine, job.trialId);
      expect(finished?.result).toMatchObject({ outcome: 'exited', exitCode: 0, finalMetrics: { loss: 2 } });
      expect(finished?.agentId).toBe(agent.snapshot().agentId);
    }
    expect(agent.snapshot().trialsRun).toBe(5);
  });

  it('sends metric points in batches: by count (≤ maxPoints each) and by time while the trial runs', async () => {
    const sweep = 'sw-batch';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ batch: { maxPoints: 500, intervalMs: 200 } });
    await agent.start();

    // 1,200 points at once: three batches at most 500 points each, not 1,200 reports.
    const burst = nodeJob(
      sweep,
      "let s = ''; for (let i = 0; i < 1200; i++) s += 'acc=' + i + '\\n'; process.stdout.write(s)",
    );
    await h.transport.queue.enqueue(burst);
    await waitFor(() => finishedOf(stream.reports, burst.trialId));
    const burstBatches = stream.of(burst.trialId).filter((r) => r.type === 'metrics');
    const sizes = burstBatches.map((r) => (r.type === 'metrics' ? r.points.length : 0));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1200);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(sizes.length).toBeLessThanOrEqual(6);

    // A slow trickle (a point every 40 ms for ~1.2 s): batches leave every ~200 ms while it runs.
    const trickle = nodeJob(
      sweep,
      "let i = 0; const t = setInterval(() => { console.log('loss=' + i++); if (i === 30) clearInterval(t); }, 40)",
    );
    await h.transport.queue.enqueue(trickle);
    await waitFor(() => stream.of(trickle.trialId).some((r) => r.type === 'metrics'));
    expect(finishedOf(stream.reports, trickle.trialId)).toBeUndefined(); // streamed before the end
    await waitFor(() => finishedOf(stream.reports, trickle.trialId));
    const trickleBatches = stream.of(trickle.trialId).filter((r) => r.type === 'metrics');
    const points = trickleBatches.flatMap((r) => (r.type === 'metrics' ? r.points : []));
    expect(points).toHaveLength(30);
    expect(trickleBatches.length).toBeGreaterThanOrEqual(3);
    expect(trickleBatches.length).toBeLessThanOrEqual(12);
  });

  it('stops a running trial within a second of a stop request and reports it stopped', async () => {
    const sweep = 'sw-stop';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent();
    await agent.start();
    const job = nodeJob(sweep, "console.log('loss=1'); setTimeout(() => {}, 30000)", { killGraceMs: 5_000 });
    await h.transport.queue.enqueue(job);
    await waitFor(() => stream.of(job.trialId).some((r) => r.type === 'metrics'));

    const asked = Date.now();
    await h.transport.control.requestStop(job.trialId);
    const finished = await waitFor(() => finishedOf(stream.reports, job.trialId));
    expect(Date.now() - asked).toBeLessThan(1_000);
    expect(finished.result).toMatchObject({ outcome: 'stopped', finalMetrics: { loss: 1 } });
    expect(await h.transport.queue.state('default', job.trialId, 1)).toEqual({ state: 'completed' });
  });

  it('does not start a trial whose stop was requested while it waited in the queue', async () => {
    const sweep = 'sw-prestop';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const job = nodeJob(sweep, "require('fs').writeFileSync('ran', 'x')");
    await h.transport.control.requestStop(job.trialId);
    await h.transport.queue.enqueue(job);
    const agent = h.newAgent();
    await agent.start();
    const finished = await waitFor(() => finishedOf(stream.reports, job.trialId));
    expect(finished.result.outcome).toBe('stopped');
    expect(finished.result.exitCode).toBeNull();
  });

  it("streams the trial's output to the LogStream while it runs", async () => {
    const sweep = 'sw-logs';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent();
    await agent.start();
    const job = nodeJob(
      sweep,
      "console.log('hello from the trial'); console.error('a warning'); setTimeout(() => console.log('bye'), 600)",
    );
    await h.transport.queue.enqueue(job);
    const live = await waitFor(async () => {
      const { chunks } = await h.transport.logs.read(job.trialId, '0');
      return chunks.join('').includes('hello from the trial') ? chunks.join('') : null;
    });
    expect(live).toContain('[hyperfleet] attempt 1 on agent');
    expect(finishedOf(stream.reports, job.trialId)).toBeUndefined();
    await waitFor(() => finishedOf(stream.reports, job.trialId));
    const { chunks } = await h.transport.logs.read(job.trialId, '0');
    const text = chunks.join('');
    expect(text).toContain('a warning');
    expect(text).toContain('bye');
  });

  it('heartbeats its running trials, pool and slots, and registers again when the server forgot it', async () => {
    const agent = h.newAgent({ slots: 3, pool: 'cpu' });
    await agent.start();
    const sweep = 'sw-hb';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const job = nodeJob(sweep, 'setTimeout(() => {}, 800)', { pool: 'cpu' });
    await h.transport.queue.enqueue(job);
    const beat = await waitFor(() => h.ctl.heartbeats.find((hb) => hb.body.running.length > 0));
    expect(beat.body).toMatchObject({
      running: [{ trialId: job.trialId, attempt: 1, slot: 0, gpu: null }],
      status: 'running',
      draining: false,
      pool: 'cpu',
      slots: 3,
      reason: null,
    });
    await waitFor(() => finishedOf(stream.reports, job.trialId));
    const sent = stream.reports.length;
    h.ctl.forget(agent.snapshot().agentId);
    await waitFor(() => h.ctl.registrations.length === 2);
    expect(h.logs.some((l) => l.message.includes('registering again'))).toBe(true);
    // Forgotten (Redis restarted empty?): the reports it may have lost with it are sent again, right after.
    await waitFor(() => stream.reports.length === 2 * sent);
    expect(stream.reports.slice(sent)).toEqual(stream.reports.slice(0, sent));
    expect(h.logs.some((l) => l.message.includes(`re-sent ${sent} report(s)`))).toBe(true);
  });
});
