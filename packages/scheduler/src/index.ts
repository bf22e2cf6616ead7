export { FailureBreaker } from './failure-breaker';
export { type PlanOptions, planFromConfig, RUN_CAP_REQUIRED } from './plan-from-config';
export type {
  AttemptOutcome,
  AttemptReport,
  Clock,
  Dispatcher,
  SchedulerDeps,
  SweepPlan,
  TrialDispatch,
} from './ports';
export { compareByGoal, isBetter, reachesTarget } from './ranking';
export { RETRY_FAILED_EVENT, type ReopenOptions, reopenFailedTrials } from './reopen-failed-trials';
export { SerialQueue } from './serial-queue';
export { type SchedulerEvent, SweepScheduler } from './sweep-scheduler';
export { trialSeed } from './trial-seed';
export { judgeAttempt, type Verdict } from './trial-verdict';
