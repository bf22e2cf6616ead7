import type { TrackingStore } from '@hyperfleet/store';
import { type AgentReport, CONTROLLER_SENDER, jobIdOf } from '@hyperfleet/transport';
import type { AgentPresence } from './ports';

/**
 * Which agent holds which attempt of a sweep, to refuse reports an agent signed about attempts it does not hold.
 * The holder is the agent whose `started` report the scheduler accepted first for that attempt; before that, a
 * `started` is admitted only from the agent itself (its `agentId` is its signature's sender) and, when the agent's
 * pool is known, an agent of the job's pool. Reports the controller signed itself (loss verdicts) always pass.
 * Holders stay known after the attempt ended (late metric points), and are read back from the store's attempt
 * records after a controller restart.
 */
export class ReportHolders {
  private readonly holders = new Map<string, string>();

  constructor(
    private readonly o: {
      store: Pick<TrackingStore, 'listAttempts'>;
      agents?: AgentPresence;
    },
  ) {}

  /** The scheduler accepted this agent's `started` (or recovery found it running the attempt). */
  hold(trialId: string, attempt: number, agentId: string): void {
    this.holders.set(jobIdOf(trialId, attempt), agentId);
  }

  /** Null when `sender` may make this report; else why not. `jobPool`: the pool of the attempt's job, if current. */
  async refusal(r: AgentReport, sender: string, jobPool: string | undefined): Promise<string | null> {
    if (sender === CONTROLLER_SENDER) return null;
    if (r.type !== 'metrics' && r.agentId !== sender) {
      return `it says agent ${JSON.stringify(r.agentId)} but agent ${JSON.stringify(sender)} signed it`;
    }
    const holder = await this.holderOf(r.trialId, r.attempt);
    if (holder === sender) return null;
    if (holder !== undefined) return `attempt ${r.attempt} of trial ${r.trialId} is held by agent ${holder}`;
    if (r.type !== 'started') return `no agent started attempt ${r.attempt} of trial ${r.trialId}`;
    const pool = this.o.agents?.poolOf?.(sender);
    if (jobPool !== undefined && pool !== undefined && pool !== jobPool) {
      return `agent ${sender} serves pool ${pool}, the job is in pool ${jobPool}`;
    }
    return null;
  }

  private async holderOf(trialId: string, attempt: number): Promise<string | undefined> {
    const id = jobIdOf(trialId, attempt);
    const known = this.holders.get(id);
    if (known !== undefined) return known;
    const worker = (await this.o.store.listAttempts(trialId)).find((a) => a.attempt === attempt)?.worker;
    if (worker) this.holders.set(id, worker);
    return worker ?? undefined;
  }
}
