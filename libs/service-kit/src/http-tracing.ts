import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SpanKind, endSpan, extractTraceContext, startSpan, withSpan, type Span } from '@mapek/observability';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';

/** Probes, scrapes and the long-lived WebSocket are not worth a span each. */
const UNTRACED = /^\/(health|metrics|ws)(\/|\?|$)/;

const spans = new WeakMap<object, Span>();

/**
 * A server span per HTTP request (HTTP semantic conventions), a child of the caller's
 * `traceparent` if it sent one. The rest of the request runs inside the span, so an event a route
 * publishes (an operator's decision) continues the request's trace.
 */
export function traceHttpRequests(app: NestFastifyApplication, scheme: 'http' | 'https'): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, _reply, done) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (UNTRACED.test(path)) return done();
    const route = request.routeOptions.url;
    const span = startSpan(route ? `${request.method} ${route}` : request.method, {
      kind: SpanKind.SERVER,
      parent: extractTraceContext({ get: (name) => headerValue(request.headers[name]) }),
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        [ATTR_URL_PATH]: path,
        [ATTR_URL_SCHEME]: scheme,
        ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
      },
    });
    spans.set(request, span);
    // Everything after this hook is called from `done`, so it inherits the span as active context.
    withSpan(span, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      spans.delete(request);
      const status = reply.statusCode;
      endSpan(span, status >= 500 ? new Error(`HTTP ${status}`) : undefined, { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
    }
    done();
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
