import { MapekError } from '@mapek/contracts';
/** Base of every error a handler or the messaging layer throws; the consumer decides retries by `retryable`. */
export abstract class MessagingError extends MapekError {}

/** A transient failure (a dependency timed out, a connection dropped): the message is redelivered with backoff. */
export class TransientHandlerError extends MessagingError {
  readonly code: string;
  readonly retryable = true;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A failure that will not go away on retry: the message is dead-lettered at once. */
export class PermanentHandlerError extends MessagingError {
  readonly code: string;
  readonly retryable = false;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A producer tried to publish data that does not match its contract: a bug, never sent. */
export class ContractViolationError extends MessagingError {
  readonly code = 'contract_violation';
  readonly retryable = false;
}

/** The streams or buckets a service needs are missing or unreadable: the service refuses to start. */
export class TopologyError extends MessagingError {
  readonly code: string;
  readonly retryable = false;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Retry unless the error says it must not be retried; unknown errors are presumed transient. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof MessagingError) return error.retryable;
  if (typeof error === 'object' && error !== null && 'retryable' in error) return error.retryable !== false;
  return true;
}

export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'handler_failed';
}
