import { HyperfleetError } from '@hyperfleet/domain';

/** Stable codes for what stops an agent from starting or running. */
export const AGENT_ERROR_CODES = {
  tokenRefused: 'AGENT_TOKEN_REFUSED',
  serverUnreachable: 'AGENT_SERVER_UNREACHABLE',
  registrationRejected: 'AGENT_REGISTRATION_REJECTED',
  gpuDetection: 'AGENT_GPU_DETECTION',
  badOptions: 'AGENT_BAD_OPTIONS',
  /** An admin revoked this agent id (`hyperfleet agent revoke`): the server refuses it from then on. */
  revoked: 'AGENT_REVOKED',
} as const;

export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[keyof typeof AGENT_ERROR_CODES];

export class AgentError extends HyperfleetError {
  override name = 'AgentError';
  declare readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, options);
  }
}
