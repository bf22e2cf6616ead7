import { describe, expect, it } from 'vitest';
import { collectReports, finishedOf, nodeJob, useAgentHarness, waitFor } from './test-helpers';

const h = useAgentHarness();

describe('consecutive-failure breaker, per sweep', () => {
  it('pauses only the sweep that keeps failing to start: its later trials fail with the reason, other sweeps run on', async () => {
    const broken = 'sw-broken';
    const good = 'sw-good';
    const brokenStream = collectReports(h.transport, broken);
    const goodStream = collectReports(h.transport, good);
    h.cleanups.push(brokenStream.close, goodStream.close);
    const agent = h.newAgent({ breaker: { threshold: 3, fastFailMs: 5_000, cooldownMs: 60_000 } });
    await agent.start();
    const crashing = [
      nodeJob(broken, "console.error('libcudart.so: cannot open shared object file'); process.exit(3)"),
      nodeJob(broken, 'process.exit(3)', { argv: ['/nonexistent/python3', 'train.py'] }),
      nodeJob(broken, 'process.exit(3)'),
    ];
    const skipped = nodeJob(broken, "console.log('acc=1')");
    const fine = [nodeJob(good, "console.log('acc=1')"), nodeJob(good, "console.log('acc=2')")];
    for (const job of [...crashing, skipped, ...fine]) await h.transport.queue.enqueue(job);

    await waitFor(() => fine.every((job) => finishedOf(goodStream.reports, job.trialId)));
    for (const job of fine) {
      expect(finishedOf(goodStream.reports, job.trialId)?.result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    }
    await waitFor(() => finishedOf(brokenStream.reports, skipped.trialId));
    expect(finishedOf(brokenStream.reports, crashing[1]!.trialId)?.result.outcome).toBe('spawn-error');
    // A trial of the paused sweep is not run here: it fails at once, naming the agent, the sweep and the cause.
    const refused = finishedOf(brokenStream.reports, skipped.trialId)?.result;
    expect(refused?.outcome).toBe('spawn-error');
    expect(refused?.error).toMatch(
      /^not run on agent \S+: 3 consecutive trials of sweep sw-broken failed at start on this agent \(last: exit code 3 .*this agent tries it again in \d+ s$/,
    );
    expect(agent.snapshot()).toMatchObject({ state: 'running', pausedSweeps: [{ sweepId: broken }] });
    expect(
      h.logs.some((l) => l.level === 'error' && l.message.startsWith('pausing sweep sw-broken on this agent')),
    ).toBe(true);
    const beat = await waitFor(() => h.ctl.heartbeats.find((hb) => hb.body.reason?.includes('sw-broken')));
    expect(beat.body.status).toBe('running');
  });

  it('trials that ran a while before failing do not count, and a paused sweep resumes after the cool-down', async () => {
    const sweep = 'sw-breaker-cooldown';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ breaker: { threshold: 2, fastFailMs: 1_000, cooldownMs: 1_500 } });
    await agent.start();
    // `false` exits 1 in a few ms (a node start-up can take longer than fastFailMs on a loaded machine).
    const fastFail = () => nodeJob(sweep, '', { argv: ['false'] });
    const slowFail = nodeJob(sweep, 'setTimeout(() => process.exit(1), 1500)');
    // fast, slow (resets), fast, fast → paused on the 4th.
    for (const job of [fastFail(), slowFail, fastFail(), fastFail()]) await h.transport.queue.enqueue(job);
    await waitFor(() => agent.snapshot().pausedSweeps.length === 1);
    expect(agent.snapshot().trialsRun).toBe(4);
    await waitFor(() => agent.snapshot().pausedSweeps.length === 0, 5_000);
    const after = nodeJob(sweep, 'process.exit(0)');
    await h.transport.queue.enqueue(after);
    await waitFor(() => finishedOf(stream.reports, after.trialId));
    expect(finishedOf(stream.reports, after.trialId)?.result).toMatchObject({ outcome: 'exited', exitCode: 0 });
  });
});
