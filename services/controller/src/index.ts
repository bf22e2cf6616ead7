export { ApiError } from './api-error';
export type { AgentSettings, AppDeps } from './app-deps';
export { ControllerMetrics } from './controller-metrics';
export type { AgentInfo, AgentRecord, CommandResult, Coordination, GpuInfo, SweepCommand } from './coordination';
export { type AppOptions, createApp } from './create-app';
export {
  type Controller,
  type ControllerOptions,
  createController,
  type DashboardOptions,
} from './create-controller';
export { DashboardGateway, type DashboardGatewayOptions } from './dashboard/dashboard-gateway';
export { type DashboardServer, startDashboardServer } from './dashboard/dashboard-server';
export { lttb, lttbIndices } from './dashboard/lttb';
export { DEFAULT_DASHBOARD_DIR, staticUi } from './dashboard/static-ui';
export { type IngestMeter, nullMeter } from './ingest-meter';
export { jsonLogger, type Logger, silentLogger } from './logger';
export { MemoryCoordination } from './memory-coordination';
export { type JobTemplate, QueueDispatcher } from './queue-dispatcher';
export { RedisCoordination, type RedisCoordinationOptions } from './redis-coordination';
export type { RuntimeHooks, TrialEvent } from './runtime-hooks';
export { SweepRunner, type SweepRunnerDeps } from './sweep-runner';
export { type SweepAction, SweepRuntime, type SweepRuntimeOptions } from './sweep-runtime';
export type { SubmittedPins } from './sweep-submission';
export { type Principal, ROLES, type Role, type TokenEntry, TokenRegistry } from './token-auth';
export { MAX_STEP, toMetricPoints } from './wire-points';
