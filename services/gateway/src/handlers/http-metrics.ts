import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * RED metrics of the gateway's HTTP API: every answered request counted by method, route
 * pattern (`/api/v1/plans/:id/approve`, never the raw URL, so ids do not become series) and
 * status code, and timed. Requests no route matched are `unmatched`. WebSocket sessions are
 * counted but not timed: their length is how long a client stayed, not how fast we answered.
 */
export function registerHttpMetrics(fastify: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'mapek_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'mapek_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to sending the answer, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
    requests.inc(labels);
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') duration.observe(labels, reply.elapsedTime / 1000);
  });
}
