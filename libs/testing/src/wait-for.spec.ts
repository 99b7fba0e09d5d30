import { describe, expect, it } from '@jest/globals';
import { waitFor } from './wait-for.js';

describe('waiting for a condition', () => {
  it('returns the first value that holds', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? calls : undefined), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('names the error of the last probe when it threw', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('no responders');
        },
        { timeoutMs: 30, intervalMs: 5, what: 'the stream' },
      ),
    ).rejects.toThrow(/^timed out waiting for the stream: no responders \(\d+ of \d+ probes failed\)$/);
  });

  it('says the last probe answered when only an earlier one threw, so an old error is not taken for the cause', async () => {
    let calls = 0;
    const probe = () => {
      if (++calls === 1) throw new Error('timeout');
      return false;
    };
    await expect(waitFor(probe, { timeoutMs: 30, intervalMs: 5, what: 'the execution' })).rejects.toThrow(
      /^timed out waiting for the execution: the last probe answered and the condition did not hold; 1 of \d+ probes failed, the last with: timeout$/,
    );
  });

  it('says only that it timed out when no probe threw', async () => {
    await expect(waitFor(() => false, { timeoutMs: 20, intervalMs: 5, what: 'nothing' })).rejects.toThrow(
      /^timed out waiting for nothing$/,
    );
  });
});
