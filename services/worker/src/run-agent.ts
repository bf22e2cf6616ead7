import { createRedisTransport } from '@hyperfleet/transport';
import { createAgent } from './agent';
import type { AgentExit, AgentLogger, AgentOptions, TransportFactory } from './agent-options';
import { withCredentialsOf } from './redis-url';

/**
 * The agent's Redis transport: the URL (its own Redis user) the controller handed out, or `redisUrl` when the
 * agent sees Redis elsewhere (with the handed-out user and password when it names none); report entries signed
 * with the key it was given. `lockDurationMs` is how soon a dead agent is noticed.
 */
export function redisTransportFactory(redisUrl?: string, tuning: { lockDurationMs?: number } = {}): TransportFactory {
  return (registration) =>
    createRedisTransport({
      url: redisUrl ? withCredentialsOf(redisUrl, registration.redisUrl) : registration.redisUrl,
      prefix: registration.queuePrefix,
      ...(registration.reportKey
        ? { signer: { sender: registration.agentId, key: Buffer.from(registration.reportKey, 'hex') } }
        : {}),
      ...tuning,
    });
}

export interface RunAgentResult extends AgentExit {
  /** A second signal cut the drain short. */
  interrupted: boolean;
}

/**
 * `hyperfleet agent` as a process: start, then run until the agent exits by itself (--count,
 * --exit-when-idle) or a signal arrives. The first SIGTERM/SIGINT drains (no new trials; running ones get
 * the drain timeout, then are handed back); a second one stops them now. Start-up errors reject.
 */
export async function runAgentProcess(
  options: AgentOptions,
  io: { signals?: NodeJS.EventEmitter; logger?: AgentLogger } = {},
): Promise<RunAgentResult> {
  const signals = io.signals ?? process;
  const agent = createAgent(io.logger ? { ...options, logger: io.logger } : options);
  const log = io.logger ?? options.logger ?? ((_level, message) => process.stderr.write(`${message}\n`));
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) {
      const seconds = Math.round((options.drainTimeoutMs ?? 60_000) / 1000);
      log(
        'info',
        `${signal}: draining — no new trials; running ones get up to ${seconds} s, then are handed back (${signal} again to stop them now)`,
      );
      void agent.drain();
    } else {
      log('warn', `${signal} again: stopping running trials now and handing them back`);
      void agent.close();
    }
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  try {
    try {
      await agent.start();
    } catch (error) {
      // Interrupted while still registering: a normal way out, not an error to report.
      if (received > 0) return { reason: 'closed', trialsRun: 0, interrupted: true };
      throw error;
    }
    const exit = await agent.done;
    return { ...exit, interrupted: received > 1 };
  } finally {
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
    await agent.close();
  }
}
