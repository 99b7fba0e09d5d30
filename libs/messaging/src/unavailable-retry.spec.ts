import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@mapek/observability';
import { TopologyError } from './messaging.errors.js';
import { whileMessagingUnavailable } from './unavailable-retry.js';

function natsError(name: string): Error {
  const error = new Error(`nats said ${name}`);
  error.name = name;
  return error;
}

/** An operation NATS never answers in time, counting how often it was asked. */
function alwaysTimingOut(): { readonly run: () => Promise<never>; readonly calls: () => number } {
  let calls = 0;
  return {
    run: () => {
      calls += 1;
      return Promise.reject(natsError('TimeoutError'));
    },
    calls: () => calls,
  };
}

const fast = { logger: createLogger('test', 'silent'), backoff: { initialMs: 1, maxMs: 2 } };

describe('a request or handler while NATS does not answer', () => {
  it('is asked again until NATS answers, and returns the answer', async () => {
    let calls = 0;
    const answer = await whileMessagingUnavailable(
      'testing',
      () => {
        calls += 1;
        return calls < 4 ? Promise.reject(natsError(calls % 2 === 0 ? 'TimeoutError' : 'NoResponders')) : Promise.resolve('info');
      },
      fast,
    );
    expect({ answer, calls }).toEqual({ answer: 'info', calls: 4 });
  });

  it('is asked again when the timeout is wrapped in a readable topology error', async () => {
    let calls = 0;
    await whileMessagingUnavailable(
      'testing',
      () => {
        calls += 1;
        return calls === 1
          ? Promise.reject(new TopologyError('topology_unreadable', 'stream cannot be read', { cause: natsError('TimeoutError') }))
          : Promise.resolve();
      },
      fast,
    );
    expect(calls).toBe(2);
  });

  it('is not asked again when the answer is a refusal, which asking again would not change', async () => {
    let calls = 0;
    const missing = new TopologyError('topology_missing', 'stream MAPEK_EVENTS does not exist');
    await expect(
      whileMessagingUnavailable(
        'testing',
        () => {
          calls += 1;
          return Promise.reject(missing);
        },
        fast,
      ),
    ).rejects.toBe(missing);
    expect(calls).toBe(1);
  });

  it('gives up with the last error once its deadline has passed', async () => {
    const operation = alwaysTimingOut();
    const started = performance.now();
    await expect(whileMessagingUnavailable('testing', operation.run, { ...fast, deadlineMs: 50 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(operation.calls()).toBeGreaterThan(1);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('is not asked again when its caller gives up on the failure, though NATS did not answer', async () => {
    const operation = alwaysTimingOut();
    await expect(
      whileMessagingUnavailable('testing', operation.run, { ...fast, giveUp: () => operation.calls() >= 2 }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(operation.calls()).toBe(2);
  });

  it('tells its caller of each retry, with the attempt and the wait, instead of logging it', async () => {
    const told: number[] = [];
    let calls = 0;
    await whileMessagingUnavailable(
      'testing',
      () => {
        calls += 1;
        return calls < 3 ? Promise.reject(natsError('NoResponders')) : Promise.resolve();
      },
      { ...fast, onRetry: (_error, attempt) => told.push(attempt) },
    );
    expect(told).toEqual([0, 1]);
  });
});
