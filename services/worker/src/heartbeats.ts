import { type AgentLogger, describeError } from '@hyperfleet/agent-core';
import { AGENT_ERROR_CODES, AgentError } from './agent-error';
import type { ControllerClient, HeartbeatBody, RegisterBody } from './controller-client';

/**
 * The agent's heartbeats to the controller: one every period, and one at once on news (a pause, a drain).
 * A send asked for while one is in flight goes right after it (the news may be newer). A controller that
 * forgot the agent (restart, Redis flushed, missed heartbeats) gets it registered again. Failures are
 * logged once per streak: trials keep running without heartbeats. Registering again also calls
 * `onRegisteredAgain` (the agent re-sends the reports the controller may have lost with it) and sends the
 * running attempts at once, so the controller knows what runs here before it judges any missing job.
 * An agent an admin revoked is told once through `onRevoked` (the agent stops: Redis has cut it off already).
 */
export class Heartbeats {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private failing = false;
  private replayOwed = false;

  constructor(
    private readonly client: ControllerClient,
    private readonly agentId: string,
    private readonly body: () => HeartbeatBody,
    private readonly registerBody: () => RegisterBody,
    private readonly log: AgentLogger,
    private readonly onRegisteredAgain: () => Promise<void> = async () => {},
    private readonly onRevoked: (error: AgentError) => void = () => {},
  ) {}
  private revoked = false;

  start(periodMs: number): void {
    this.timer ??= setInterval(() => void this.send(), periodMs);
  }

  /** Sends one now (or right after the one in flight). */
  send(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    const sending = this.sendOne().finally(() => {
      this.inFlight = null;
      if (this.again) {
        this.again = false;
        void this.send();
      }
    });
    this.inFlight = sending;
    return sending;
  }

  /** No more periodic heartbeats; resolves when the last one sent has arrived (or failed). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.inFlight) await this.inFlight;
  }

  private async replay(): Promise<void> {
    try {
      await this.onRegisteredAgain();
      this.replayOwed = false;
    } catch (error) {
      this.log(
        'warn',
        `could not re-send recent reports (tried again after the next heartbeat): ${describeError(error)}`,
      );
    }
  }

  private async sendOne(): Promise<void> {
    try {
      const answer = await this.client.heartbeat(this.agentId, this.body());
      if (answer === 'unknown-agent') {
        this.log('warn', 'the server does not know this agent any more: registering again');
        await this.client.register(this.registerBody());
        this.again = true;
        this.replayOwed = true;
      }
      if (this.replayOwed) await this.replay();
      if (this.failing) this.log('info', 'heartbeats reach the server again');
      this.failing = false;
    } catch (error) {
      if (error instanceof AgentError && error.code === AGENT_ERROR_CODES.revoked) {
        if (!this.revoked) this.onRevoked(error);
        this.revoked = true;
        return;
      }
      if (!this.failing) this.log('warn', `heartbeat failed (trials keep running): ${describeError(error)}`);
      this.failing = true;
    }
  }
}
