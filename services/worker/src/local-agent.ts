import type { TrialJob } from '@hyperfleet/transport';
import { type Agent, createAgent } from './agent';
import type { AgentOptions, AgentTransport } from './agent-options';

/**
 * What the agent does differently in embedded mode (`hyperfleet run`): it lives in the controller's
 * process and shares its transport, so there is no server to register with or heartbeat to, and nothing
 * is rebuilt from pins (the trials run in the submitter's own tree).
 */
export interface LocalAgentMode {
  /** The transport the sweep runner uses too. The agent never closes it: its owner does. */
  transport: AgentTransport;
  /** Where a trial's files go (params.json, output.log). Default `<workDir>/<sweepId>/<trialId>.a<attempt>/`. */
  trialDir?: (job: TrialJob) => string;
  /** Stream each trial's output into the log stream (the dashboard's log tail reads it). Default false. */
  streamLogs?: boolean;
}

/** Options of an in-process agent: the fleet-only ones (server, token, GPUs, idle exit) do not apply. */
export type LocalAgentOptions = LocalAgentMode &
  Pick<
    AgentOptions,
    'pool' | 'slots' | 'agentId' | 'workDir' | 'drainTimeoutMs' | 'batch' | 'stopCheckMs' | 'closeTimeoutMs' | 'logger'
  >;

/**
 * An agent for embedded mode: takes jobs from `transport` at once, without HTTP registration, heartbeats,
 * GPU detection, live log streaming unless asked (output.log is already on this disk) or its own failure breaker (the
 * scheduler's breaker ends the sweep; pausing the only agent would just stall it).
 */
export function createLocalAgent(opts: LocalAgentOptions): Agent {
  const { transport, trialDir, streamLogs, ...rest } = opts;
  return createAgent({
    ...rest,
    // Never contacted: a local agent neither registers nor heartbeats.
    serverUrl: 'http://localhost',
    token: 'local',
    transportFactory: () => transport,
    local: { transport, ...(trialDir ? { trialDir } : {}), ...(streamLogs ? { streamLogs } : {}) },
  });
}
