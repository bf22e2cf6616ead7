export {
  AgentCredentials,
  type AgentCredentialsOptions,
  type AgentGrant,
  type AgentRedisAccess,
  aclUser,
} from './agent-credentials';
export { AGENT_SECRET_ENV } from './agent-keys';
export { ApiError } from './api-error';
export { type ApiLimits, DEFAULT_LIMITS } from './api-limits';
export type { AgentSettings, AppDeps } from './app-deps';
export { boundAddress, isLoopbackHost } from './bound-address';
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
export { MemoryCoordination } from './memory-coordination';
export { LOCAL_PRINCIPAL, PROJECT_ROLES, type Principal, type ProjectRole } from './principal';
export { RedisCoordination, type RedisCoordinationOptions } from './redis-coordination';
export { type SweepAction, SweepLeases, type SweepLeasesOptions } from './sweep-leases';
export { ROLES, type Role, type TokenEntry, TokenRegistry } from './token-auth';
