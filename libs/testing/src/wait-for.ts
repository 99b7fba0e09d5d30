/**
 * Polls a real condition (a query, a consumer's state, an HTTP answer) until it holds.
 * Not a sleep: it returns as soon as the signal is there, and fails with the last observation:
 * the error of the last probe when it threw, or that it answered without the condition holding
 * (an error of an earlier probe is named too, as it may be why).
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  let lastThrew = false;
  let probes = 0;
  let failures = 0;
  while (Date.now() < deadline) {
    probes++;
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastThrew = false;
    } catch (error) {
      lastError = error;
      lastThrew = true;
      failures++;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
  const what = `timed out waiting for ${options.what ?? 'condition'}`;
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
  if (lastError === undefined) throw new Error(what);
  if (lastThrew) throw new Error(`${what}: ${message(lastError)}${failures > 1 ? ` (${failures} of ${probes} probes failed)` : ''}`);
  throw new Error(
    `${what}: the last probe answered and the condition did not hold; ${failures} of ${probes} probes failed, the last with: ${message(lastError)}`,
  );
}
