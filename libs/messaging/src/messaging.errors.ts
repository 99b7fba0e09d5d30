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

/**
 * The nats.js errors of a messaging system that is not answering right now — a request that timed
 * out, no responders (a JetStream API or a service with no leader or no member up), a connection
 * lost or being re-established — found anywhere in the error's chain of causes (nats.js wraps no
 * responders in a `RequestError`). Matched on the classes' names, which nats.js sets and keeps,
 * and on the JetStream API's status, never on message text.
 */
const UNAVAILABLE_ERRORS: ReadonlySet<string> = new Set(['TimeoutError', 'NoResponders', 'ConnectionError']);

/** The JetStream API's err_codes for "JetStream not enabled" (10076) and "not enabled for account" (10039). */
const JETSTREAM_NOT_ENABLED: ReadonlySet<number> = new Set([10039, 10076]);

/** True when `error` (or a cause of it) says NATS did not answer, as opposed to a handler's own failure. */
export function isMessagingUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (UNAVAILABLE_ERRORS.has(current.name)) return true;
    // "JetStream system temporarily unavailable" (503), during a leader election; but not the 503s
    // of a server or account without JetStream, which no amount of waiting changes.
    if (current.name === 'JetStreamApiError') {
      const { status, code } = current as { status?: unknown; code?: unknown };
      if (status === 503 && !JETSTREAM_NOT_ENABLED.has(code as number)) return true;
    }
  }
  return false;
}
