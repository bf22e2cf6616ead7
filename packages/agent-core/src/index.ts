export { abortableSleep } from './abortable-sleep';
export { type AgentLogger, type AgentLogLevel, describeError, stderrAgentLogger } from './agent-logger';
export type { AgentTransport } from './agent-transport';
export type { AttemptExecutor, AttemptResult, RunTrial } from './attempt-executor';
export {
  createLocalAgent,
  LocalAgent,
  type LocalAgentExit,
  type LocalAgentOptions,
  type LocalAgentSnapshot,
  type LocalAgentState,
} from './local-agent';
export {
  describeWorkspaceError,
  openPinnedWorkspace,
  type PinnedWorkspace,
  type PinnedWorkspaceOptions,
} from './pinned-workspace';
export { DEFAULT_LEDGER_LIMITS, type LedgerLimits, ReportLedger } from './report-ledger';
export { type CleanupStep, runCleanups, settledWithin } from './settled-within';
export { type Slot, SlotPool } from './slot-pool';
export { type JobIdentity, parseTrialJob, type TrialJobParse, trialJobSchema } from './trial-job-schema';
export { type BatchOptions, DEFAULT_BATCH, type PublishRetry, TrialReporter } from './trial-reporter';
export {
  ALLOWED_SECRETS_ENV,
  agentSecretPolicy,
  EMBEDDED_SECRET_POLICY,
  parseSecretNames,
  type ResolvedTrialEnv,
  refusedSecret,
  resolveTrialEnv,
  type SecretPolicy,
} from './trial-secrets';
export {
  type AttemptPlacement,
  type RunningAttempt,
  type SamplePoint,
  TrialTaker,
  type TrialTakerOptions,
} from './trial-taker';
