import { describe, expect, it } from '@jest/globals';
import { SpanKind } from '@mapek/observability';
import { observationSpans } from './observation-spans.js';
import { ScrapeError } from './http-scraper.js';

const timing = { started: 1000, ended: 1012.5 };
const epoch = (at: number) => performance.timeOrigin + at;

describe('the span of the check a symptom came from', () => {
  it('is a GET CLIENT span for a scrape, dated by the scrape, with the URL stripped of its credentials', () => {
    const span = observationSpans.scrape('shop', 'https://scraper:s3cret@shop.internal:9100/metrics', timing, { status: 200, samples: 39 });
    expect(span).toEqual({
      name: 'GET',
      kind: SpanKind.CLIENT,
      startTime: epoch(1000),
      endTime: epoch(1012.5),
      attributes: {
        'http.request.method': 'GET',
        'url.full': 'https://REDACTED:REDACTED@shop.internal:9100/metrics',
        'server.address': 'shop.internal',
        'server.port': 9100,
        'http.response.status_code': 200,
        'mapek.target': 'shop',
        'mapek.check': 'scrape',
        'mapek.scrape.samples': 39,
      },
    });
  });

  it('carries a failed scrape’s status and error', () => {
    const error = new ScrapeError('http_status', 'HTTP 503', { status: 503 });
    const span = observationSpans.scrape('shop', 'http://shop/metrics', timing, { error });
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503', 'server.port': 80 });
    expect(span.error).toBe(error);
  });

  it('names a probe by its kind, fails it with the probe’s reason, and never shows a database password', () => {
    const tcp = observationSpans.probe('db', { kind: 'tcp', host: 'db.internal', port: 5432 }, timing, {
      ok: false,
      detail: 'ECONNREFUSED',
    });
    expect(tcp).toMatchObject({
      name: 'probe tcp',
      attributes: { 'mapek.check': 'probe tcp', 'mapek.probe.endpoint': 'db.internal:5432' },
    });
    expect((tcp.error as Error).message).toBe('ECONNREFUSED');
    const postgres = observationSpans.probe('db', { kind: 'postgres', url: 'postgres://mapek:hunter2@db.internal/shop' }, timing, {
      ok: false,
      detail: 'timeout',
    });
    expect(JSON.stringify(postgres.attributes)).not.toContain('hunter2');
    const http = observationSpans.probe('shop', { kind: 'http', url: 'http://shop/health' }, timing, { ok: false, detail: 'HTTP 500' });
    expect(http).toMatchObject({ name: 'GET', attributes: { 'url.full': 'http://shop/health', 'mapek.check': 'probe http' } });
  });

  it('is a GET of the query API for a PromQL rule', () => {
    const span = observationSpans.promql('shop', 'http://prometheus:9090/prom', 'error-rate', timing);
    expect(span.attributes).toMatchObject({ 'url.full': 'http://prometheus:9090/prom/api/v1/query', 'mapek.rule': 'error-rate' });
  });
});
