import { MapekError } from '@mapek/contracts';
/** Machine-readable codes of the agent's errors. */
export const AgentErrorCode = {
  config: 'AGENT_CONFIG',
  connect: 'AGENT_CONNECT',
  remedyFailed: 'AGENT_REMEDY_FAILED',
  requestRejected: 'AGENT_REQUEST_REJECTED',
} as const;
export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode];

/** The options given to `createAgent` are wrong; fix the code or the environment. */
export class AgentConfigError extends MapekError {
  readonly code: AgentErrorCode = AgentErrorCode.config;
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** NATS could not be reached when the agent started; trying again later may work. */
export class AgentConnectError extends MapekError {
  readonly code: AgentErrorCode = AgentErrorCode.connect;
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A remedy could not do its job. Handlers may throw it (any thrown error counts as a failure);
 * the reply carries `errorCode: remedy_failed` and this message as `detail`.
 */
export class RemedyFailedError extends MapekError {
  readonly code: AgentErrorCode = AgentErrorCode.remedyFailed;
  readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options);
    this.retryable = options?.retryable ?? false;
  }
}

/**
 * Thrown by an `openRequest` / `verifyRequest` hook to refuse a request (bad signature, cannot
 * decrypt); the reply carries `errorCode: invalid_request`.
 */
export class ActuationRejectedError extends MapekError {
  readonly code: AgentErrorCode = AgentErrorCode.requestRejected;
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
