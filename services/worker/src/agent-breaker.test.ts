import { describe, expect, it } from 'vitest';
import { collectReports, finishedOf, nodeJob, useAgentHarness, waitFor } from './test-helpers';

const h = useAgentHarness();

describe('consecutive-failure breaker', () => {
  it('pauses after K trials fail at start, says why in its log and heartbeat, and resumes after the cool-down', async () => {
    const sweep = 'sw-breaker';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ breaker: { threshold: 3, fastFailMs: 5_000, cooldownMs: 1_000 } });
    await agent.start();
    const crashing = [
      nodeJob(sweep, "console.error('libcudart.so: cannot open shared object file'); process.exit(3)"),
      nodeJob(sweep, 'process.exit(3)', { argv: ['/nonexistent/python3', 'train.py'] }),
      nodeJob(sweep, 'process.exit(3)'),
    ];
    const good = nodeJob(sweep, "console.log('acc=1')");
    for (const job of [...crashing, good]) await h.transport.queue.enqueue(job);

    await waitFor(() => agent.snapshot().state === 'paused');
    expect(agent.snapshot().pausedReason).toMatch(
      /^3 consecutive trials failed at start on this agent \(last: exit code 3/,
    );
    expect(h.logs.some((l) => l.level === 'error' && l.message.startsWith('pausing: 3 consecutive'))).toBe(true);
    const beat = await waitFor(() => h.ctl.heartbeats.find((hb) => hb.body.status === 'paused'));
    expect(beat.body.reason).toContain('consecutive trials failed at start');
    expect(finishedOf(stream.reports, crashing[1]!.trialId)?.result.outcome).toBe('spawn-error');
    // Paused: the good trial waits in the queue for another agent (or for the cool-down).
    expect(await h.transport.queue.state('default', good.trialId, 1)).toEqual({ state: 'waiting' });

    await waitFor(() => finishedOf(stream.reports, good.trialId), 5_000);
    expect(finishedOf(stream.reports, good.trialId)?.result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    expect(agent.snapshot()).toMatchObject({ state: 'running', pausedReason: null });
  });

  it('with no cool-down it stays paused; trials that ran a while before failing do not count', async () => {
    const sweep = 'sw-breaker-never';
    const stream = collectReports(h.transport, sweep);
    h.cleanups.push(stream.close);
    const agent = h.newAgent({ breaker: { threshold: 2, fastFailMs: 1_000, cooldownMs: null } });
    await agent.start();
    // `false` exits 1 in a few ms (a node start-up can take longer than fastFailMs on a loaded machine).
    const fastFail = () => nodeJob(sweep, '', { argv: ['false'] });
    const slowFail = nodeJob(sweep, 'setTimeout(() => process.exit(1), 1500)');
    const next = nodeJob(sweep, 'process.exit(0)');
    // fast, slow (resets), fast, fast → trips on the 4th.
    for (const job of [fastFail(), slowFail, fastFail(), fastFail(), next]) {
      await h.transport.queue.enqueue(job);
    }
    await waitFor(() => agent.snapshot().state === 'paused');
    expect(agent.snapshot().trialsRun).toBe(4);
    expect(h.logs.some((l) => l.message.includes('Staying paused until the agent is restarted'))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await h.transport.queue.state('default', next.trialId, 1)).toEqual({ state: 'waiting' });
  });
});
