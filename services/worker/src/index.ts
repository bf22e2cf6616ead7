export { type Agent, type AgentSnapshot, type AgentState, createAgent } from './agent';
export { AGENT_ERROR_CODES, AgentError, type AgentErrorCode } from './agent-error';
export type {
  AgentExit,
  AgentLogger,
  AgentLogLevel,
  AgentOptions,
  AgentTransport,
  AttemptExecutor,
  AttemptResult,
  TransportFactory,
} from './agent-options';
export { AGENT_VERSION } from './agent-version';
export {
  type AgentStatus,
  ControllerClient,
  type HeartbeatBody,
  normalizeServerUrl,
  type RegisterBody,
  type Registration,
  registerWithRetry,
} from './controller-client';
export { type BreakerOptions, DEFAULT_BREAKER, FailureBreaker, startFailure } from './failure-breaker';
export { type GpuInfo, NVIDIA_SMI_ARGS, parseNvidiaSmiCsv } from './gpu-info';
export { parseGpuList, queryGpus, resolveGpuSelection } from './nvidia-smi';
export { type RunAgentResult, redisTransportFactory, runAgentProcess } from './run-agent';
