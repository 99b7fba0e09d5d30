import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { probeHttp, samplesOfText, ScrapeError, scrapeMetrics } from './http-scraper.js';

const METRICS = '# TYPE up gauge\nup 1\nqueue_depth{queue="orders"} 7\nbroken NaN\n';

describe('the scrape and probe HTTP client', () => {
  let server: Server;
  let base: string;
  let connections = 0;
  const accepted: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      accepted.push(request.headers.accept);
      switch (request.url) {
        case '/metrics':
          response.setHeader('content-type', 'text/plain; version=0.0.4');
          response.end(METRICS);
          return;
        case '/moved':
          response.writeHead(302, { location: '/metrics' });
          response.end('see /metrics');
          return;
        case '/down':
          response.writeHead(503);
          response.end('overloaded');
          return;
        case '/garbage':
          response.end('this is { not prometheus');
          return;
        case '/slow':
          setTimeout(() => response.end(METRICS), 500).unref();
          return;
        case undefined:
        default:
          response.writeHead(404);
          response.end();
      }
    });
    server.on('connection', () => (connections += 1));
    server.keepAliveTimeout = 10_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('parses the finite samples of a scrape and reuses its connection for the next scrapes and probes', async () => {
    const before = connections;
    expect(await scrapeMetrics(`${base}/metrics`, 2000)).toEqual([
      { metric: 'up', labels: {}, value: 1 },
      { metric: 'queue_depth', labels: { queue: 'orders' }, value: 7 },
    ]);
    for (let round = 0; round < 5; round++) {
      await scrapeMetrics(`${base}/metrics`, 2000);
      expect(await probeHttp(`${base}/metrics`, 2000)).toEqual({ ok: true, detail: 'HTTP 200' });
    }
    expect(connections - before).toBe(1);
  });

  it('follows a redirect, as fetch did', async () => {
    expect(await scrapeMetrics(`${base}/moved`, 2000)).toHaveLength(2);
    expect(await probeHttp(`${base}/moved`, 2000)).toEqual({ ok: true, detail: 'HTTP 200' });
  });

  it('asks the same URL again and again with the same answer, a scrape for Prometheus text and a probe for anything', async () => {
    accepted.length = 0;
    for (let round = 0; round < 3; round += 1) {
      expect(await scrapeMetrics(`${base}/metrics`, 2000)).toHaveLength(2);
      expect(await probeHttp(`${base}/metrics`, 2000)).toEqual({ ok: true, detail: 'HTTP 200' });
    }
    expect(accepted).toEqual(Array.from({ length: 3 }, () => ['text/plain;version=0.0.4', undefined]).flat());
  });

  it('tells a status, an unparsable body, a timeout and an unreachable target apart', async () => {
    const failure = (url: string, timeoutMs = 2000) => scrapeMetrics(url, timeoutMs).catch((error: unknown) => error as ScrapeError);
    expect(await failure(`${base}/down`)).toMatchObject({ name: 'ScrapeError', code: 'http_status', status: 503 });
    expect(await failure(`${base}/garbage`)).toMatchObject({ code: 'unparsable' });
    expect(await failure(`${base}/slow`, 100)).toMatchObject({ code: 'timeout' });
    expect(await failure('http://127.0.0.1:1/metrics')).toMatchObject({ code: 'unreachable' });
    expect(await failure('ftp://127.0.0.1/metrics')).toMatchObject({
      code: 'unreachable',
      message: 'ftp://127.0.0.1/metrics: not an http(s) URL',
    });
    expect(await failure('not a url')).toMatchObject({ code: 'unreachable' });
    expect(await probeHttp(`${base}/down`, 2000)).toEqual({ ok: false, detail: 'HTTP 503' });
    expect(await probeHttp(`${base}/down`, 2000, 503)).toEqual({ ok: true, detail: 'HTTP 503' });
    expect((await probeHttp(`${base}/slow`, 100)).ok).toBe(false);
  });

  it('keeps the parser’s label objects instead of copying them per sample', () => {
    const [first, second] = samplesOfText('a{x="1"} 1\nb 2\n');
    expect(first?.labels).toEqual({ x: '1' });
    expect(second?.labels).toEqual({});
  });

  it('gives samples and their labels with their keys in canonical (sorted) order, so their JSON is already canonical', () => {
    const [sample] = samplesOfText('http_requests_total{method="GET",code="200",handler="/"} 1\n');
    expect(Object.keys(sample ?? {})).toEqual(['labels', 'metric', 'value']);
    expect(Object.keys(sample?.labels ?? {})).toEqual(['code', 'handler', 'method']);
    expect(sample?.labels).toEqual({ method: 'GET', code: '200', handler: '/' });
  });

  it('leaves out a sample’s timestamp and its non-finite values, and keeps a `__proto__` label as an own key when it sorts the labels', () => {
    const samples = samplesOfText('a{z="1",__proto__="p"} 1 1700000000000\nb NaN\nc +Inf\n');
    expect(samples).toHaveLength(1);
    const [sample] = samples;
    expect(Object.keys(sample ?? {})).toEqual(['labels', 'metric', 'value']);
    expect(Object.keys(sample?.labels ?? {})).toEqual(['__proto__', 'z']);
    expect(Object.getPrototypeOf(sample?.labels)).toBe(Object.prototype);
    expect(JSON.stringify(sample)).toBe('{"labels":{"__proto__":"p","z":"1"},"metric":"a","value":1}');
  });
});
