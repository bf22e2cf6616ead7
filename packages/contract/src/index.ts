import type { z } from 'zod';
import { accessRoutes, type me, type tokenInfo } from './access';
import { type agentInfo, agentRoutes, type heartbeatBody, type registerBody, type registration } from './agents';
import { blobRoutes } from './blobs';
import { type auditEvent, modelRoutes, type modelVersion } from './models';
import type { attemptRecord, metricPoint, metricSummary, sweepRecord, trialLineage, trialRecord } from './records';
import { reproduceRoutes } from './reproduce';
import { sweepRoutes, type sweepSummary } from './sweeps';
import { trialRoutes } from './trials';

export {
  accessRoutes,
  createTokenBody,
  me,
  projectName,
  projectRole,
  tokenInfo,
  tokenRole,
} from './access';
export {
  type AgentStatus,
  agentInfo,
  agentRoutes,
  agentStatus,
  type GpuInfo,
  gpuInfo,
  heartbeatBody,
  registerBody,
  registration,
  runningAttempt,
} from './agents';
export { blobRoutes } from './blobs';
export { type ErrorBody, errorBody, type InputIssue, inputIssue, readErrorBody } from './error-body';
export { auditEvent, auditQuery, modelInfo, modelRoutes, modelVersion, registerModelBody } from './models';
export { codePin, dataPin, envFingerprint, type SubmittedPinsBody, submittedPins } from './pins';
export {
  attemptRecord,
  goal,
  metricPoint,
  metricSummary,
  params,
  sweepRecord,
  sweepStatus,
  trialCounts,
  trialLineage,
  trialRecord,
  trialStatus,
} from './records';
export { reproduceBody, reproduceRoutes } from './reproduce';
export {
  type BodyOf,
  defineRoute,
  type HttpMethod,
  type ParamsOf,
  type PathParams,
  pathOf,
  type QueryOf,
  type ReplyOf,
  type ResponseOf,
  type RouteSpec,
  routeName,
} from './route';
export {
  listSweepsQuery,
  SWEEP_ACTIONS,
  type SweepAction,
  submitSweepBody,
  submitSweepQuery,
  sweepRoutes,
  sweepSummary,
} from './sweeps';
export { logsQuery, metricsQuery, trialRoutes } from './trials';
export { describeIssues, parseResponse, UNEXPECTED_RESPONSE, UnexpectedResponseError } from './unexpected-response';
export { blobHash, id, queryFlag, wireNumber, wireReplacer } from './wire';

/** Every route of the API by area: `routes.sweeps.get`, `routes.agents.register`, … */
export const routes = {
  sweeps: sweepRoutes,
  trials: trialRoutes,
  reproduce: reproduceRoutes,
  agents: agentRoutes,
  blobs: blobRoutes,
  access: accessRoutes,
  models: modelRoutes,
};

// The records as a client holds them after parsing.
export type SweepRecordBody = z.output<typeof sweepRecord>;
export type SweepSummaryBody = z.output<typeof sweepSummary>;
export type TrialRecordBody = z.output<typeof trialRecord>;
export type AttemptRecordBody = z.output<typeof attemptRecord>;
export type MetricPointBody = z.output<typeof metricPoint>;
export type MetricSummaryBody = z.output<typeof metricSummary>;
export type TrialLineageBody = z.output<typeof trialLineage>;
export type AgentInfo = z.output<typeof agentInfo>;
export type RegisterBody = z.input<typeof registerBody>;
export type HeartbeatBody = z.input<typeof heartbeatBody>;
export type Registration = z.output<typeof registration>;
export type MeBody = z.output<typeof me>;
export type TokenInfoBody = z.output<typeof tokenInfo>;
export type ModelVersionBody = z.output<typeof modelVersion>;
export type AuditEventBody = z.output<typeof auditEvent>;
