import { parsePrometheusText } from '@mapek/prometheus-text';
import type { Sample } from '@mapek/contracts';
import { HttpGetError, get, prepareGet, type PreparedGet } from './http-get.client.js';

export class ScrapeError extends Error {
  override readonly name = 'ScrapeError';
  readonly retryable = true;
  /** The HTTP status, when the target answered one. */
  readonly status: number | undefined;
  constructor(
    readonly code: 'timeout' | 'http_status' | 'unreachable' | 'unparsable' | 'too_large',
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
}

/** A scrape body larger than this is refused rather than held in memory. */
export const MAX_SCRAPE_BYTES = 32 * 1024 * 1024;

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly location?: string;
}

export interface HttpGetOptions {
  readonly timeoutMs: number;
  readonly accept?: string;
  /** false: the body is drained and dropped (a probe), so the connection can be reused. */
  readonly readBody: boolean;
}

/** Redirects followed, as `fetch` did before. */
const MAX_REDIRECTS = 5;
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * GETs a URL over a kept connection of its origin (`http-get.client`), following up to five redirects; the whole
 * exchange (connections, headers and bodies) is bounded by `timeoutMs`.
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpAnswer> {
  const deadline = performance.now() + options.timeoutMs;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const remaining = Math.max(1, Math.round(deadline - performance.now()));
    const answer = await getOnce(current, { ...options, timeoutMs: remaining }, redirects < MAX_REDIRECTS);
    if (answer.location === undefined) return answer;
    current = new URL(answer.location, current).toString();
  }
}

/** URLs requested before, by accept header (`''`: none), with their request made. */
const preparedRequests = new Map<string, Map<string, PreparedGet>>();
/** More URLs than this (a redirect may name any) and the prepared ones are forgotten. */
const MAX_PREPARED_REQUESTS = 10_000;

/**
 * The request of a GET of `url`, made once per URL: parsing the URL and writing the request cost
 * garbage per request, two requests per target every second. A URL that cannot be requested gives
 * the error to reject with.
 */
function preparedRequest(url: string, accept: string | undefined): PreparedGet | ScrapeError {
  let byUrl = preparedRequests.get(accept ?? '');
  if (byUrl === undefined) {
    byUrl = new Map();
    preparedRequests.set(accept ?? '', byUrl);
  }
  const known = byUrl.get(url);
  if (known !== undefined) return known;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    return new ScrapeError('unreachable', `${url}: ${(error as Error).message}`, { cause: error });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return new ScrapeError('unreachable', `${url}: not an http(s) URL`);
  const prepared = prepareGet(parsed, accept);
  if (byUrl.size >= MAX_PREPARED_REQUESTS) byUrl.clear();
  byUrl.set(url, prepared);
  return prepared;
}

async function getOnce(url: string, options: HttpGetOptions, followRedirect: boolean): Promise<HttpAnswer> {
  const prepared = preparedRequest(url, options.accept);
  if (prepared instanceof ScrapeError) throw prepared;
  const exchange = get(prepared, options.readBody, MAX_SCRAPE_BYTES);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      exchange.abort();
      reject(new ScrapeError('timeout', `${url}: no complete answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
  });
  try {
    const answer = await Promise.race([exchange.answer, deadline]);
    const location = followRedirect && REDIRECTS.has(answer.status) ? answer.location : undefined;
    if (location !== undefined) return { status: answer.status, body: '', location };
    return { status: answer.status, body: answer.body };
  } catch (error) {
    if (!(error instanceof HttpGetError)) throw error;
    throw new ScrapeError(error.code === 'too_large' ? 'too_large' : 'unreachable', `${url}: ${error.message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The finite samples of a Prometheus text body, as they go into a batch: keys in the order the
 * batch's canonical JSON sorts them (labels too), so that the signer and the verifier can write it
 * with the engine's JSON.stringify instead of key by key. The parser's own sample is taken as it
 * is when it already has that form (no timestamp, labels in order), which most are.
 */
export function samplesOfText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const family of parsePrometheusText(text)) {
    for (const sample of family.samples) {
      if (!Number.isFinite(sample.value)) continue;
      const labels = inKeyOrder(sample.labels);
      samples.push(
        labels === sample.labels && sample.timestampMs === undefined ? sample : { labels, metric: sample.metric, value: sample.value },
      );
    }
  }
  return samples;
}

/**
 * The labels themselves when their names are in ascending order (as most exporters write them),
 * else a copy in that order. Sorted by hand: the engine's sort allocates a work area per call, a
 * few hundred bytes for a label set of two.
 */
function inKeyOrder(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  let previous: string | undefined;
  let ordered = true;
  for (const name in labels) {
    if (previous !== undefined && !(previous < name)) {
      ordered = false;
      break;
    }
    previous = name;
  }
  if (ordered) return labels;
  const names = Object.keys(labels);
  for (let i = 1; i < names.length; i += 1) {
    const name = names[i] as string;
    let j = i - 1;
    for (; j >= 0 && (names[j] as string) > name; j -= 1) names[j + 1] = names[j] as string;
    names[j + 1] = name;
  }
  const sorted: Record<string, string> = {};
  for (const name of names) {
    const value = labels[name] as string;
    // `__proto__` must be defined to be an own key, as the parser does.
    if (name === '__proto__') Object.defineProperty(sorted, name, { value, enumerable: true, writable: true, configurable: true });
    else sorted[name] = value;
  }
  return sorted;
}

/** GETs a Prometheus text endpoint and parses it into its finite samples. */
export async function scrapeMetrics(url: string, timeoutMs: number): Promise<Sample[]> {
  const answer = await httpGet(url, { timeoutMs, accept: 'text/plain;version=0.0.4', readBody: true });
  if (answer.status < 200 || answer.status > 299) {
    throw new ScrapeError('http_status', `${url}: HTTP ${answer.status}`, { status: answer.status });
  }
  try {
    return samplesOfText(answer.body);
  } catch (error) {
    throw new ScrapeError('unparsable', `${url}: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether an HTTP status means up: 2xx, or exactly `expectStatus` when given. */
export function isUpStatus(status: number, expectStatus?: number): boolean {
  return expectStatus === undefined ? status >= 200 && status <= 299 : status === expectStatus;
}

/** An HTTP health probe: 2xx (or exactly `expectStatus`) within the timeout is up. */
export async function probeHttp(url: string, timeoutMs: number, expectStatus?: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const answer = await httpGet(url, { timeoutMs, readBody: false });
    return { ok: isUpStatus(answer.status, expectStatus), detail: `HTTP ${answer.status}` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}
