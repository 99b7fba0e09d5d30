import type { Logger } from '@mapek/observability';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.js';
import { isMessagingUnavailable } from './messaging.errors.js';

export interface WhileUnavailableOptions {
  /** Where each retry is told; none for a command-line tool that says only the outcome. */
  readonly logger?: Logger;
  /** Give up (throw the last error) once this much time has passed. Default {@link STARTUP_UNAVAILABLE_MS}. */
  readonly deadlineMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Told of each retry before its wait, instead of the logger's warning (a handler counts them). */
  readonly onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
  /** True when this failure is thrown at once although NATS did not answer (a consumer that is stopping). */
  readonly giveUp?: (error: unknown) => boolean;
}

/**
 * How long a service keeps trying the JetStream requests it starts with (account info, the streams,
 * its buckets and durables) while NATS does not answer them. A cluster whose members start beside
 * a dozen services answers its first JetStream requests late or not at all until it has a meta
 * leader; past this the service exits with the last error and its supervisor restarts it.
 */
export const STARTUP_UNAVAILABLE_MS = 120_000;

const startupBackoff: BackoffPolicy = { initialMs: 250, maxMs: 5000 };

/**
 * Runs `operation`, and again with backoff while it fails because NATS did not answer
 * (`isMessagingUnavailable`: a timeout, no responders, a JetStream API without a leader), until
 * `deadlineMs`. Any other failure — a missing stream, a permission — is thrown at once, since
 * asking again would not change the answer, and so is one that `giveUp` refuses. A service's
 * first JetStream requests use it, and so does the consumer for a handler that NATS failed.
 */
export async function whileMessagingUnavailable<T>(
  what: string,
  operation: () => Promise<T>,
  options: WhileUnavailableOptions,
): Promise<T> {
  const deadlineMs = options.deadlineMs ?? STARTUP_UNAVAILABLE_MS;
  const since = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const waitMs = backoffDelay(attempt, options.backoff ?? startupBackoff);
      const retry = isMessagingUnavailable(error) && !options.giveUp?.(error) && performance.now() - since + waitMs < deadlineMs;
      if (!retry) throw error;
      if (options.onRetry) options.onRetry(error, attempt, waitMs);
      else options.logger?.warn({ err: error, attempt, retryInMs: waitMs }, `NATS did not answer while ${what}; trying again`);
      await sleep(waitMs);
    }
  }
}
