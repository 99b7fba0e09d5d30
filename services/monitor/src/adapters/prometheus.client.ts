import { MapekError } from '@mapek/contracts';
import type { PromqlSeries } from '../domain/promql-rules.js';

/** A PromQL query could not be answered; `code` says why, without parsing the message. */
export class PrometheusQueryError extends MapekError {
  constructor(
    readonly code: 'unreachable' | 'timeout' | 'http_status' | 'bad_query' | 'unexpected_answer',
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface QueryAnswer {
  readonly status: 'success' | 'error';
  readonly errorType?: string;
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: unknown };
}

type Sample = readonly [number, string];

const valueOf = (sample: Sample): number => Number(sample[1]);

/**
 * An instant query through Prometheus' HTTP API (`GET /api/v1/query`): a vector becomes one
 * series per element, a scalar one series without labels. `__name__` is dropped from the labels:
 * the rule names the symptom's metric.
 */
export async function queryPrometheus(baseUrl: string, query: string, timeoutMs: number): Promise<PromqlSeries[]> {
  const url = new URL('api/v1/query', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('query', query);
  url.searchParams.set('timeout', `${Math.max(1, Math.floor(timeoutMs / 1000))}s`);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new PrometheusQueryError(timedOut ? 'timeout' : 'unreachable', `${url.origin}: ${(error as Error).message}`, true, {
      cause: error,
    });
  }
  let answer: QueryAnswer;
  try {
    answer = (await response.json()) as QueryAnswer;
  } catch (error) {
    throw new PrometheusQueryError(
      'http_status',
      `${url.origin}: HTTP ${response.status}, not a Prometheus answer`,
      response.status >= 500,
      { cause: error },
    );
  }
  if (answer.status !== 'success' || answer.data === undefined) {
    // 400 and 422 are the query's fault (bad_data, execution): asking again will not help.
    const badQuery = response.status === 400 || response.status === 422;
    throw new PrometheusQueryError(
      badQuery ? 'bad_query' : 'http_status',
      `${query}: ${answer.errorType ?? response.status}: ${answer.error ?? 'no data'}`,
      !badQuery,
    );
  }
  switch (answer.data.resultType) {
    case 'vector':
      return (answer.data.result as Array<{ metric: Record<string, string>; value: Sample }>).map((element) => {
        const labels = Object.fromEntries(Object.entries(element.metric).filter(([name]) => name !== '__name__'));
        return { labels, value: valueOf(element.value) };
      });
    case 'scalar':
      return [{ labels: {}, value: valueOf(answer.data.result as Sample) }];
    default:
      throw new PrometheusQueryError(
        'unexpected_answer',
        `${query}: a ${answer.data.resultType} answer, not an instant vector or scalar`,
        false,
      );
  }
}
