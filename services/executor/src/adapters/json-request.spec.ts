import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, inSpan, recordSpansInSuite } from '@mapek/observability';
import { sendJson } from './json-request.js';

const failures = { timedOut: () => new Error('timed out'), unreachable: (cause: Error) => cause };

describe('a request to a JSON API (the Docker engine, the Kubernetes API server)', () => {
  const spans = recordSpansInSuite({ beforeAll, afterAll, beforeEach });
  let server: Server;
  let base: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      res.statusCode = req.url?.startsWith('/missing') ? 404 : 204;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (path: string) =>
    sendJson(
      (options, onAnswer) => request(`${base}${path}`, options, onAnswer),
      { method: 'POST', url: `${base}${path}`, headers: {}, body: {}, timeoutMs: 5000 },
      failures,
    );

  it('is a CLIENT span under the effector’s span, named by its method, and carries its traceparent', async () => {
    seen.length = 0;
    await inSpan('effector container restart_service', { kind: SpanKind.INTERNAL }, () => send('/containers/c1/restart?t=10'));
    const [call, effector] = spans.finished();
    expect(call?.name).toBe('POST');
    expect(call?.kind).toBe(SpanKind.CLIENT);
    expect(call?.parentSpanContext?.spanId).toBe(effector?.spanContext().spanId);
    expect(call?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': `${base}/containers/c1/restart?t=10`,
      'server.address': '127.0.0.1',
      'http.response.status_code': 204,
    });
    expect(seen[0]?.['traceparent']).toBe(`00-${call?.spanContext().traceId}-${call?.spanContext().spanId}-01`);
  });

  it('marks a 4xx answer as an error on its span, and still hands the answer back', async () => {
    const answer = await inSpan('effector kubernetes restart_service', { kind: SpanKind.INTERNAL }, () => send('/missing'));
    expect(answer.status).toBe(404);
    const [call] = spans.finished();
    expect(call?.attributes['error.type']).toBe('404');
    expect(call?.status.code).toBe(2);
  });

  it('makes no span and sends no traceparent outside a recorded trace', async () => {
    seen.length = 0;
    await send('/containers/c1/start');
    expect(spans.finished()).toEqual([]);
    expect(seen[0]?.['traceparent']).toBeUndefined();
  });
});
