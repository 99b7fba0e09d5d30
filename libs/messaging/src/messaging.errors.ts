/** Base of every error a handler or the messaging layer throws; the consumer decides retries by `retryable`. */
export abstract class MessagingError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A transient failure (a dependency timed out, a connection dropped): the message is redelivered with backoff. */
export class TransientHandlerError extends MessagingError {
  override readonly name = 'TransientHandlerError';
  readonly code: string;
  readonly retryable = true;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A failure that will not go away on retry: the message is dead-lettered at once. */
export class PermanentHandlerError extends MessagingError {
  override readonly name = 'PermanentHandlerError';
  readonly code: string;
  readonly retryable = false;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A producer tried to publish data that does not match its contract: a bug, never sent. */
export class ContractViolationError extends MessagingError {
  override readonly name = 'ContractViolationError';
  readonly code = 'contract_violation';
  readonly retryable = false;
}

/** The streams or buckets a service needs are missing or unreadable: the service refuses to start. */
export class TopologyError extends MessagingError {
  override readonly name = 'TopologyError';
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
