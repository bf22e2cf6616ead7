export { DEFAULT_QUOTA, type ProjectQuota, type ShareClaim, shareFreeSlots } from './fair-share';
export { type IngestMeter, nullMeter } from './ingest-meter';
export { errorText, jsonLogger, type LogFields, type Logger, silentLogger } from './logger';
export { type PlanOptions, planFromConfig, RUN_CAP_REQUIRED, resolveSweepSeed } from './plan-from-config';
export type {
  AgentPresence,
  AttemptReport,
  Clock,
  Dispatcher,
  SchedulerDeps,
  SweepPlan,
  TrialDispatch,
} from './ports';
export {
  type ProjectQuotas,
  parseQuotaFile,
  parseQuotaFlag,
  QUOTA_INVALID,
} from './project-quotas';
export { type JobTemplate, type OutstandingJob, type PoolShare, QueueDispatcher } from './queue-dispatcher';
export {
  bestOf,
  compareByGoal,
  isBetter,
  rankClass,
  reachesTarget,
  sweepBest,
  trialMetricValue,
} from './ranking';
export { REPORT_REFUSED_EVENT, type Refusal, RefusedReports } from './refused-reports';
export { type RegisterTrialModel, registerTrialModel } from './register-trial-model';
export { RETRY_FAILED_EVENT, type ReopenOptions, reopenFailedTrials } from './reopen-failed-trials';
export {
  REPRODUCE_EVENT,
  type Reproduction,
  type ReproductionRequest,
  recordReproduction,
  reproductionConfig,
  reproductionTrial,
} from './reproduction';
export { composeHooks, type RuntimeHooks, type TrialEvent } from './runtime-hooks';
export { SameFailureBreaker } from './same-failure-breaker';
export { SerialQueue } from './serial-queue';
export type { SubmittedPins } from './submitted-pins';
export { SweepEngine, type SweepEngineDeps } from './sweep-engine';
export { newSeed, newSweepId } from './sweep-ids';
export { type SchedulerEvent, SweepScheduler } from './sweep-scheduler';
export {
  fleetArgsJsonFile,
  jobTemplate,
  planFor,
  planForStoredSweep,
  readSubmission,
  SUBMITTED_EVENT,
  type SweepSubmission,
} from './sweep-submission';
export { trialSeed } from './trial-seed';
export { judgeAttempt, type Verdict } from './trial-verdict';
export { toMetricPoints } from './wire-points';
