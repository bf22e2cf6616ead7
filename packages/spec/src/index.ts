export type {
  Distribution,
  DistributionName,
  Goal,
  MetricPoint,
  MetricSummary,
  ParamValue,
  Params,
  SearchMethod,
  SearchSpace,
  SpaceParam,
  SweepStatus,
  TrialStatus,
} from './domain';
export { TERMINAL_TRIAL_STATUSES } from './domain';
