export { closeAll, withTimeout } from './close-all';
export {
  createInProcessTransport,
  type InProcessTransport,
  type InProcessTransportOptions,
} from './in-process/create-in-process-transport';
export type { InProcessControlOptions } from './in-process/in-process-control';
export type { InProcessLogsOptions, LogBounds } from './in-process/in-process-logs';
export type {
  InProcessConsumerHandle,
  InProcessQueueOptions,
  InProcessTrialConsumer,
} from './in-process/in-process-queue';
export type { InProcessReportsOptions } from './in-process/in-process-reports';
export {
  failedReasonOf,
  type LostAttempt,
  LostAttemptError,
  type LostCause,
  lostCauseOf,
  STALLED_REASON,
} from './lost-attempt';
export type {
  AgentReport,
  Closeable,
  ConsumeOptions,
  ConsumerHandle,
  ControlChannel,
  FinishedReport,
  JobPins,
  JobState,
  LogStream,
  ReportHandler,
  ReportStream,
  StopSubscription,
  Transport,
  TrialConsumer,
  TrialJob,
  TrialQueue,
} from './ports';
export { jobIdOf } from './ports';
export { createRedisTransport } from './redis/create-redis-transport';
export { inspectRedis, type RedisInspection, type RedisPersistence } from './redis/inspect-redis';
export { redactUrl } from './redis/redact-url';
export { closeClient } from './redis/redis-clients';
export type { RedisTransportOptions } from './redis/redis-options';
export { bullPrefixOf } from './redis/redis-trial-queue';
export {
  attemptKey,
  CONTROLLER_SENDER,
  type ReportSigner,
  type ReportVerifier,
  reportMac,
} from './redis/report-signing';
export { isTransportError, isTransportUnreachable, TransportError, type TransportErrorCode } from './transport-error';
