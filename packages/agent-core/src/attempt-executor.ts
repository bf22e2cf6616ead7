import type { AttemptOutcome } from '@hyperfleet/domain';
import type { RunTrialOptions, TrialResult } from '@hyperfleet/runner';
import type { TrialJob } from '@hyperfleet/transport';
import type { SecretPolicy } from './trial-secrets';

/** Runs one attempt as a process on this machine: the runner's `runTrial`, or a stand-in (benchmarks run no-ops). */
export type RunTrial = (opts: RunTrialOptions) => Promise<TrialResult>;

/** How an attempt ended; an executor may also end it `lost` (an infrastructure failure: the scheduler retries it). */
export type AttemptResult = Omit<TrialResult, 'outcome'> & { outcome: AttemptOutcome };

/**
 * Runs attempts somewhere other than this machine (the Kubernetes executor: one Job per attempt). The agent
 * then neither materializes the pins (the pod does) nor checks GPU slots (the Job requests the GPUs); it
 * still reports `started`/`finished` and tails `<trialDir>/output.log` into the live log.
 */
export interface AttemptExecutor {
  /**
   * `opts.env` is left out: the attempt's own machine resolves the job's secrets (`job.env`) from its
   * environment, so their values never pass through the agent.
   */
  runAttempt(job: TrialJob, opts: RunTrialOptions): Promise<AttemptResult>;
  /** The secrets its attempts can be given; the agent refuses a job naming another. Default: none. */
  readonly secretPolicy?: SecretPolicy;
}
