import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { waitFor } from '@mapek/testing';
import { registerHttpMetrics } from './http-metrics.js';

describe('the gateway HTTP metrics', () => {
  const registry = new Registry();
  let fastify: FastifyInstance;
  let base: string;
  const get = (path: string) => fetch(`${base}${path}`).then((response) => response.arrayBuffer());

  beforeAll(async () => {
    fastify = Fastify();
    registerHttpMetrics(fastify, registry);
    fastify.get('/api/v1/plans/:id', (request, reply) =>
      reply.code((request.params as { id: string }).id === 'missing' ? 404 : 200).send({}),
    );
    base = await fastify.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await fastify.close();
  });

  it('counts and times each answer by route pattern, never by raw URL, and unmatched URLs as one route', async () => {
    for (const path of ['/api/v1/plans/0196', '/api/v1/plans/0197', '/api/v1/plans/missing', '/wp-admin/login.php']) await get(path);
    // onResponse runs once the answer is written, which may be just after the client has it.
    const text = await waitFor(
      async () => {
        const current = await registry.metrics();
        return current.includes('route="unmatched"') && current;
      },
      { what: 'the last request counted' },
    );
    expect(text).toContain('mapek_http_requests_total{method="GET",route="/api/v1/plans/:id",status_code="200"} 2');
    expect(text).toContain('mapek_http_requests_total{method="GET",route="/api/v1/plans/:id",status_code="404"} 1');
    expect(text).toContain('mapek_http_requests_total{method="GET",route="unmatched",status_code="404"} 1');
    expect(text).toContain('mapek_http_request_duration_seconds_count{method="GET",route="/api/v1/plans/:id",status_code="200"} 2');
    // No raw path in any label (the duration sum may contain those digits by chance).
    expect(text).not.toMatch(/="[^"]*(0196|0197|missing|wp-admin)/);
  });
});
