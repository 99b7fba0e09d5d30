import type { Agent } from '@mapek/agent';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { DemoFaults } from './demo.faults.js';
import { QueryParamError, ThrottledError } from './demo.errors.js';
import { numberParam, onlyParams } from './query.parser.js';
import { renderStatusPage } from './status.page.js';

type Handler = (query: URLSearchParams) => Promise<Reply> | Reply;
interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
}

const json = (body: unknown, status = 200): Reply => ({ status, body });
const MB = 1024 * 1024;

/** HTTP transport of the demo: routing, parameter checks, request accounting for the agent. */
export function createDemoServer(agent: Agent, faults: DemoFaults, baseUrl: () => string): Server {
  const routes: Record<string, Partial<Record<string, Handler>>> = {
    '/': { GET: () => ({ status: 200, body: renderStatusPage(faults.status(), baseUrl()), contentType: 'text/html; charset=utf-8' }) },
    '/health': {
      GET: () => json({ status: faults.failures.degraded ? 'degraded' : 'ok', target: agent.target, actuating: agent.actuating }),
    },
    '/metrics': { GET: async () => ({ status: 200, body: await agent.metricsText(), contentType: agent.metricsContentType }) },
    '/api/work': { GET: () => work(faults) },
    '/demo': { GET: () => json({ endpoints: Object.keys(routes).filter((path) => path.startsWith('/demo/')) }) },
    '/demo/status': { GET: () => json(faults.status()) },
    '/demo/reset': {
      POST: async (query) => {
        onlyParams(query, []);
        await faults.reset();
        return json({ reset: true, status: faults.status() });
      },
    },
    '/demo/memory-leak': {
      POST: (query) => {
        onlyParams(query, ['size_mb', 'count']);
        const sizeMb = numberParam(query, 'size_mb', { min: 1, max: 1024, fallback: 50 });
        const count = numberParam(query, 'count', { min: 1, max: 100, fallback: 4, integer: true });
        if (sizeMb * count > 4096) throw new QueryParamError('size_mb', `size_mb × count must stay within 4096 MB, got ${sizeMb * count}`);
        const cache = faults.leak.leak(sizeMb, count);
        return json({ leaked: { sizeMb, count, bytes: Math.round(sizeMb * MB) * count }, cache, rssBytes: process.memoryUsage().rss });
      },
    },
    '/demo/cpu-overload': {
      POST: (query) => {
        onlyParams(query, ['duration', 'num_threads']);
        const duration = numberParam(query, 'duration', { min: 1, max: 600, fallback: 15 });
        const threads = numberParam(query, 'num_threads', { min: 1, max: 64, fallback: 4, integer: true });
        if (faults.throttled) throw new ThrottledError('throttled by a remedy: no new CPU load until POST /demo/reset');
        return json({ cpuOverload: faults.cpu.start(duration, threads) });
      },
    },
    '/demo/connection-issues': {
      POST: async (query) => {
        onlyParams(query, ['connection_count']);
        const count = numberParam(query, 'connection_count', { min: 1, max: 1000, fallback: 100, integer: true });
        return json({ opened: count, pooledConnections: await faults.pool.open(count) });
      },
    },
    '/demo/request-failures': {
      POST: (query) => {
        onlyParams(query, ['failure_rate']);
        const rate = numberParam(query, 'failure_rate', { min: 0, max: 1, fallback: 0.5 });
        faults.failures.setRate(rate);
        return json({ requestFailures: faults.failures.status() });
      },
    },
    '/demo/latency-creep': {
      POST: (query) => {
        onlyParams(query, ['step_ms', 'every_ms', 'max_ms']);
        const stepMs = numberParam(query, 'step_ms', { min: 1, max: 10_000, fallback: 100 });
        const everyMs = numberParam(query, 'every_ms', { min: 10, max: 60_000, fallback: 1000 });
        const maxMs = numberParam(query, 'max_ms', { min: 1, max: 120_000, fallback: 5000 });
        if (maxMs < stepMs) throw new QueryParamError('max_ms', `must be at least step_ms (${stepMs}), got ${maxMs}`);
        faults.latency.start(stepMs, everyMs, maxMs);
        return json({ latency: faults.latency.status() });
      },
    },
  };

  return createServer((request, response) => {
    void serve(request, response, routes, agent, faults);
  });
}

/** The business endpoint the self-traffic hits: circuit breaker, injected latency and failures. */
async function work(faults: DemoFaults): Promise<Reply> {
  if (!faults.breaker.allow()) return json({ error: 'circuit_open' }, 503);
  const delayMs = faults.latency.delayMs;
  if (delayMs > 0) await delay(delayMs);
  if (faults.failures.shouldFail()) {
    faults.breaker.failure();
    return json({ error: 'injected_failure' }, 500);
  }
  faults.breaker.success();
  return json({ ok: true, delayMs });
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  routes: Record<string, Partial<Record<string, Handler>>>,
  agent: Agent,
  faults: DemoFaults,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://demo.invalid');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  // Scrapes are not traffic: they would dilute the error ratio and latency the loop watches.
  if (path !== '/metrics') {
    const started = performance.now();
    faults.requestStarted();
    response.once('close', () => {
      faults.requestFinished();
      agent.recordRequest(performance.now() - started, response.statusCode < 500);
    });
  }
  const methods = routes[path];
  const handler = methods?.[request.method ?? 'GET'];
  let reply: Reply;
  if (!methods) reply = json({ error: 'not_found', path }, 404);
  else if (!handler) {
    response.setHeader('Allow', Object.keys(methods).join(', '));
    reply = json({ error: 'method_not_allowed', allowed: Object.keys(methods) }, 405);
  } else {
    try {
      reply = await handler(url.searchParams);
    } catch (error) {
      reply = errorReply(error);
    }
  }
  request.resume(); // bodies are ignored; drain them so keep-alive works
  const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  response.writeHead(reply.status, { 'Content-Type': reply.contentType ?? 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(body);
}

function errorReply(error: unknown): Reply {
  if (error instanceof QueryParamError) return json({ error: error.code, param: error.param, reason: error.message }, 400);
  if (error instanceof ThrottledError) return json({ error: error.code, reason: error.message }, 429);
  return json({ error: 'internal', reason: error instanceof Error ? error.message : String(error) }, 500);
}
