import type { MetricSample } from '@hyperfleet/domain';
import type { EnvFingerprint } from '@hyperfleet/lineage';
import type { AgentReport, ConsumerHandle, Transport, TrialJob } from '@hyperfleet/transport';

/** What a fake trial does: the points it logs and how it ends. */
export interface FakeOutcome {
  points?: MetricSample[];
  exitCode?: number;
  /** Wait this long before finishing (lets tests stop or kill it mid-run). */
  holdMs?: number;
}

export interface FakeAgentOptions {
  agentId?: string;
  pool?: string;
  slots?: number;
  behave?: (job: TrialJob) => FakeOutcome;
  /** Send this environment with the start, as an agent running a pinned trial does. */
  env?: EnvFingerprint;
  /** Then send a second `started` carrying this one, as a Kubernetes executor's trial pod does. */
  podEnv?: EnvFingerprint;
}

/**
 * A stand-in for `services/worker` in controller tests: takes jobs from the transport's consumer and publishes
 * started / metrics / finished reports like an agent does. Honors stop requests while holding.
 */
export function fakeAgent(transport: Transport, opts: FakeAgentOptions = {}) {
  const agentId = opts.agentId ?? 'agent-1';
  const ran: TrialJob[] = [];
  const publish = (sweepId: string, reports: AgentReport[]) => transport.reports.publish(sweepId, reports);
  const handle: ConsumerHandle = transport.consumer.consume(
    { pool: opts.pool ?? 'default', concurrency: opts.slots ?? 2, agentId },
    async (job) => {
      ran.push(job);
      const base = { trialId: job.trialId, attempt: job.attempt };
      await publish(job.sweepId, [
        { type: 'started', ...base, agentId, at: Date.now(), ...(opts.env ? { env: opts.env } : {}) },
      ]);
      if (opts.podEnv)
        await publish(job.sweepId, [{ type: 'started', ...base, agentId, at: Date.now(), env: opts.podEnv }]);
      const outcome = opts.behave?.(job) ?? defaultOutcome(job);
      if (outcome.points?.length) await publish(job.sweepId, [{ type: 'metrics', ...base, points: outcome.points }]);
      let stopped = false;
      const until = Date.now() + (outcome.holdMs ?? 0);
      while (Date.now() < until) {
        if (await transport.control.isStopRequested(job.trialId)) {
          stopped = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      await publish(job.sweepId, [
        {
          type: 'finished',
          ...base,
          agentId,
          at: Date.now(),
          result: {
            outcome: stopped ? 'stopped' : 'exited',
            exitCode: stopped ? null : (outcome.exitCode ?? 0),
            signal: stopped ? 'SIGTERM' : null,
            error: null,
            durationMs: 1,
            finalMetrics: {},
            malformedLines: 0,
          },
        },
      ]);
    },
  );
  return { agentId, ran, handle };
}

/** loss = x (a param) at steps 0 and 1: ranking is predictable. */
function defaultOutcome(job: TrialJob): FakeOutcome {
  const x = Number(job.params.x ?? 0);
  return {
    points: [
      { key: 'loss', step: 0, value: x + 1, timestamp: Date.now() },
      { key: 'loss', step: 1, value: x, timestamp: Date.now() },
    ],
  };
}
