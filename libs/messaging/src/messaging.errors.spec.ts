import { describe, expect, it } from '@jest/globals';
import { JetStreamApiError } from '@nats-io/jetstream';
import { TransientHandlerError, isMessagingUnavailable } from './messaging.errors.js';

/** An error as nats.js names its classes. */
function natsError(name: string, cause?: unknown): Error {
  const error = new Error(name, cause === undefined ? undefined : { cause });
  error.name = name;
  return error;
}

describe('telling NATS not answering from a handler’s own failure', () => {
  it('finds a timeout, no responders or a lost connection anywhere in the causes', () => {
    expect(isMessagingUnavailable(natsError('TimeoutError'))).toBe(true);
    expect(isMessagingUnavailable(natsError('RequestError', natsError('NoResponders')))).toBe(true);
    expect(isMessagingUnavailable(natsError('ConnectionError'))).toBe(true);
    expect(
      isMessagingUnavailable(new TransientHandlerError('kv', 'the plan record could not be read', { cause: natsError('TimeoutError') })),
    ).toBe(true);
  });

  it('takes a JetStream API answer 503 (a leader being elected) for unavailable, and other API errors not', () => {
    expect(
      isMessagingUnavailable(
        new JetStreamApiError({ code: 503, err_code: 10008, description: 'JetStream system temporarily unavailable' }),
      ),
    ).toBe(true);
    expect(isMessagingUnavailable(new JetStreamApiError({ code: 400, err_code: 10071, description: 'wrong last sequence: 3' }))).toBe(
      false,
    );
  });

  it('does not take the 503 of a server or account without JetStream for unavailable: waiting does not change it', () => {
    expect(isMessagingUnavailable(new JetStreamApiError({ code: 503, err_code: 10076, description: 'JetStream not enabled' }))).toBe(false);
    expect(
      isMessagingUnavailable(new JetStreamApiError({ code: 503, err_code: 10039, description: 'jetstream not enabled for account' })),
    ).toBe(false);
  });

  it('leaves everything else to the usual retries', () => {
    expect(isMessagingUnavailable(new Error('the webhook answered 500'))).toBe(false);
    expect(isMessagingUnavailable(natsError('RequestError', natsError('PermissionViolationError')))).toBe(false);
    expect(isMessagingUnavailable('timeout')).toBe(false);
  });
});
