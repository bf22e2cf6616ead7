export {
  ATTEMPT_OUTCOMES,
  type AttemptEnd,
  type AttemptOutcome,
  endedWithoutExit,
  PROCESS_OUTCOMES,
  type ProcessOutcome,
} from './attempt-outcome';
export {
  COMMAND_MACROS,
  type CommandMacro,
  type CommandPart,
  DEFAULT_COMMAND,
  LIST_MACROS,
  type MacroRef,
  parseCommandElement,
} from './command-macros';
export { CONFIG_INVALID, ConfigError } from './config-error';
export type { ConfigIssue } from './config-issue';
export type {
  Ack,
  ColumnarPoints,
  CurveView,
  DashboardClientEvents,
  DashboardServerEvents,
  RungView,
  SweepSnapshot,
  SweepSummaryView,
  TrialRowView,
  TrialSnapshot,
} from './dashboard-events';
export { DASHBOARD_CLIENT_EVENTS, decodeTrialRow, encodeTrialRow } from './dashboard-events';
export type {
  Distribution,
  DistributionName,
  Goal,
  MetricPoint,
  MetricSample,
  MetricSummary,
  Params,
  ParamValue,
  SearchMethod,
  SearchSpace,
  SpaceParam,
  SweepStatus,
  TrialStatus,
} from './domain';
export { GOALS, SWEEP_STATUSES, TERMINAL_TRIAL_STATUSES, TRIAL_STATUSES } from './domain';
export {
  addDroppedPoints,
  DROP_REASONS,
  type DroppedPoints,
  type DropReason,
  describeDroppedPoints,
  MAX_STEP,
  stepDropReason,
} from './dropped-points';
export { closestMatch, closestMatches, didYouMean, editDistance } from './edit-distance';
export {
  HyperfleetError,
  isHyperfleetError,
  SYSTEM_ERROR_CODE,
  toHyperfleetError,
  UNKNOWN_ERROR_CODE,
} from './errors';
export { formatIssues } from './format-issues';
export { parseMemoryQuantity } from './memory-quantity';
export { decodeNonFinite, encodeNonFinite, NON_FINITE_NAMES, nonFiniteLabel, parseNonFinite } from './non-finite';
export {
  DISCRETE_DISTRIBUTIONS,
  DISTRIBUTION_NAMES,
  isNestedParameter,
  type NestedParameterConfig,
  type ParameterConfig,
  type ParametersConfig,
} from './parameter-spec';
export { flattenParams, unflattenParams } from './params';
export { loadSweepConfig, parseSweepConfig, requireValidConfig } from './parse-sweep-config';
export {
  COMMAND_INVALID,
  defaultInterpreter,
  formatParamValue,
  type RenderableConfig,
  type RenderContext,
  renderCommand,
} from './render-command';
export { toSearchSpace } from './search-space';
export {
  EARLY_TERMINATE_TYPES,
  type EarlyTerminateConfig,
  METRIC_SOURCES,
  type MetricConfig,
  type MetricSource,
  type MetricsCollectionConfig,
  type ResourcesConfig,
  SEARCH_METHODS,
  type SweepConfig,
  type SweepConfigInput,
  sweepConfigSchema,
} from './sweep-config';
export { DEFAULT_PROJECT, PROJECT_NAME, PROJECT_NAME_RULE, sweepProject } from './sweep-project';
export {
  ENV_VAR_NAME,
  isSecretRef,
  reservedEnvReason,
  secretNamesOf,
  type TrialEnvSpec,
  type TrialEnvValue,
} from './trial-env-spec';
export { type ValidationResult, validateSweepConfig } from './validate-sweep-config';
