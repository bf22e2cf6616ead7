export { FileFollower, type FileFollowerHandlers, type FileFollowerOptions } from './file-follower';
export { parseJsonMetricsLine } from './json-metrics-line';
export { parseKeyValueLine } from './key-value-line';
export { parseLenientJson } from './lenient-json';
export { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter';
export { DEFAULT_LOG_MAX_BYTES } from './log-sink';
export {
  conflictingPaths,
  type MaterializeCodeOptions,
  type MaterializedCode,
  materializeCode,
} from './materialize-code';
export { type MaterializeDataOptions, materializeData } from './materialize-data';
export {
  type MaterializedTrial,
  type MaterializeTrialOptions,
  materializeTrial,
  type TrialPins,
} from './materialize-trial';
export { parseMetricValue } from './metric-value';
export { MetricsFileParser, parseMetricsFileLine } from './metrics-file-line';
export { compileMetricsRegex, parseRegexLine } from './regex-metrics';
export { runTrial } from './run-trial';
export { parseStdoutLine, StdoutMetricsParser, type StdoutParseOptions } from './stdout-metrics';
export type {
  LineParse,
  MetricsCollection,
  MetricsFileLine,
  RunTrialOptions,
  TrialResult,
} from './types';
