export type {
  AgentReport,
  Closeable,
  ConsumeOptions,
  ConsumerHandle,
  ControlChannel,
  FinishedReport,
  JobState,
  LogStream,
  ReportStream,
  Transport,
  TrialConsumer,
  TrialJob,
  TrialQueue,
  WirePoint,
} from './ports';
export { jobIdOf } from './ports';
