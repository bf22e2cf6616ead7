export type {
  Distribution,
  DistributionName,
  Goal,
  MetricPoint,
  MetricSummary,
  Params,
  ParamValue,
  SearchMethod,
  SearchSpace,
  SpaceParam,
  SweepStatus,
  TrialStatus,
} from './domain';
export { TERMINAL_TRIAL_STATUSES } from './domain';
