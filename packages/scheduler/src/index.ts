export { FailureBreaker } from './failure-breaker';
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
export { type SchedulerEvent, SweepScheduler } from './sweep-scheduler';
export { trialSeed } from './trial-seed';
export { judgeAttempt, type Verdict } from './trial-verdict';
