import { parsePrometheusSamples } from '@mapek/prometheus-text';
import type { Sample } from '@mapek/contracts';

export class ScrapeError extends Error {
  override readonly name = 'ScrapeError';
  readonly retryable = true;
  constructor(
    readonly code: 'timeout' | 'http_status' | 'unreachable' | 'unparsable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** GETs a Prometheus text endpoint and parses it into samples. */
export async function scrapeMetrics(url: string, timeoutMs: number): Promise<Sample[]> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain;version=0.0.4' } });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new ScrapeError(timedOut ? 'timeout' : 'unreachable', `${url}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) throw new ScrapeError('http_status', `${url}: HTTP ${response.status}`);
  const text = await response.text();
  try {
    return parsePrometheusSamples(text).map((sample) => ({ metric: sample.metric, labels: { ...sample.labels }, value: sample.value }));
  } catch (error) {
    throw new ScrapeError('unparsable', `${url}: ${(error as Error).message}`, { cause: error });
  }
}

/** An HTTP health probe: 2xx (or exactly `expectStatus`) within the timeout is up. */
export async function probeHttp(url: string, timeoutMs: number, expectStatus?: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { ok: expectStatus === undefined ? response.ok : response.status === expectStatus, detail: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}
