import type { Logger } from '@mapek/observability';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.js';
import { isMessagingUnavailable } from './messaging.errors.js';

export interface WhileUnavailableOptions {
  /** Where each retry is told; none for a command-line tool that says only the outcome. */
  readonly logger?: Logger;
  /** Give up (throw the last error) once this much time has passed. Default {@link STARTUP_UNAVAILABLE_MS}. */
  readonly deadlineMs?: number;
  readonly backoff?: BackoffPolicy;
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
 * asking again would not change the answer.
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
      if (!isMessagingUnavailable(error) || performance.now() - since + waitMs >= deadlineMs) throw error;
      options.logger?.warn({ err: error, attempt, retryInMs: waitMs }, `NATS did not answer while ${what}; trying again`);
      await sleep(waitMs);
    }
  }
}
