import { MapekError, type PlanStep } from '@mapek/contracts';

export interface EffectorRequest {
  readonly requestId: string;
  readonly planId: string;
  readonly index: number;
  readonly step: Pick<PlanStep, 'action' | 'target' | 'params' | 'timeoutMs'>;
  readonly rollback: boolean;
}

export interface EffectorResult {
  readonly ok: boolean;
  readonly detail: string;
  /** An ActuationErrorCode from the agent, or the effector's own code (timeout, breaker_open, …). */
  readonly errorCode?: string;
}

/** Something that can carry out a plan step on a target: the agent, a webhook, a supervisor, … */
export interface Effector {
  readonly name: string;
  run(request: EffectorRequest): Promise<EffectorResult>;
}

/** The effector could not be reached or did not answer in time: worth a retry, counts against its breaker. */
export class EffectorUnavailableError extends MapekError {
  readonly retryable = true;
  constructor(
    readonly code: 'timeout' | 'no_responders' | 'breaker_open' | 'transport',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
