import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, inSpan, recordSpansInMemory } from '@mapek/observability';
import { createTestIdentities, type TestIdentities } from '../testing/pqc-identities.fixture.js';
import { EffectorUnavailableError, type EffectorRequest } from '../domain/effector.port.js';
import { TracedEffector } from './traced.effector.js';
import { WebhookEffector, verifyWebhookRequest, webhookSignerOf, type WebhookRequestBody } from './webhook.effector.js';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly verdict: ReturnType<typeof verifyWebhookRequest>;
}

/**
 * The webhook effector against a real HTTP server that does what a receiver must: check the
 * executor's ML-DSA-65 signature against the trust bundle, and act once per Idempotency-Key.
 */
describe('webhook effector against a real HTTP receiver', () => {
  let keys: TestIdentities;
  let server: Server;
  let url: string;
  const received: Received[] = [];
  const acted = new Set<string>();
  /** Status the receiver answers with next (then 200 again). */
  let nextStatus: number | undefined;

  beforeAll(async () => {
    keys = await createTestIdentities(['executor', 'agent']);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => {
          const value = req.headers[name.toLowerCase()];
          return Array.isArray(value) ? value[0] : value;
        };
        const verdict = verifyWebhookRequest({ backend: keys.backend, trust: keys.trust, url, header, body });
        received.push({ headers: req.headers, body, verdict });
        if (!verdict.ok) return res.writeHead(401).end(verdict.reason);
        if (nextStatus !== undefined) {
          const status = nextStatus;
          nextStatus = undefined;
          return res.writeHead(status).end(`status ${status}`);
        }
        const key = header('Idempotency-Key') ?? '';
        const first = !acted.has(key);
        acted.add(key);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ acted: first }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mapek/actions`;
  });

  beforeEach(() => {
    received.length = 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function effector(headersFromEnv: Record<string, string> = {}, environment: NodeJS.ProcessEnv = {}): WebhookEffector {
    const identity = keys.identities['executor'];
    if (!identity) throw new Error('no executor identity');
    return new WebhookEffector(
      {
        kind: 'webhook',
        url,
        headersFromEnv,
        capabilities: [{ action: 'restart_service', params: {}, verify: 'symptom_cleared', timeoutMs: 5000 }],
      },
      webhookSignerOf({ backend: keys.backend, identity }),
      environment,
    );
  }

  const request = (requestId = randomUUID()): EffectorRequest => ({
    requestId,
    planId: randomUUID(),
    index: 1,
    rollback: false,
    step: { action: 'restart_service', target: 'orders', params: { drain: true }, timeoutMs: 5000 },
  });

  it('sends the effector span’s traceparent, outside the signature, so the receiver can continue the incident’s trace', async () => {
    const spans = recordSpansInMemory();
    try {
      const result = await inSpan('process plan.approved', { kind: SpanKind.CONSUMER }, () =>
        new TracedEffector(effector(), 'webhook').run(request()),
      );
      expect(result.ok).toBe(true);
      const call = spans.finished().find((span) => span.name === 'effector webhook restart_service');
      const [only] = received;
      expect(only?.verdict).toEqual({ ok: true, signer: 'executor' });
      expect(only?.headers['traceparent']).toBe(`00-${call?.spanContext().traceId}-${call?.spanContext().spanId}-01`);
      expect(call?.attributes['mapek.effector.outcome']).toBe('ok');
    } finally {
      await spans.stop();
    }
  });

  it('posts the step signed by the executor, with the step id as Idempotency-Key, and the receiver verifies it', async () => {
    const sent = request();
    const result = await effector().run(sent);
    expect(result).toEqual({ ok: true, detail: 'webhook answered 200: {"acted":true}' });
    const [only] = received;
    expect(only?.verdict).toEqual({ ok: true, signer: 'executor' });
    expect(only?.headers['idempotency-key']).toBe(sent.requestId);
    expect(only?.headers['mapek-sig-alg']).toBe('ML-DSA-65');
    expect(JSON.parse(only?.body ?? '{}') as WebhookRequestBody).toEqual({
      requestId: sent.requestId,
      planId: sent.planId,
      step: 1,
      target: 'orders',
      action: 'restart_service',
      params: { drain: true },
      rollback: false,
    });
  });

  it('lets the receiver refuse a body changed after signing', async () => {
    await effector().run(request());
    const [signed] = received;
    if (!signed) throw new Error('nothing received');
    const header = (name: string) => signed.headers[name.toLowerCase()] as string | undefined;
    const tampered = signed.body.replace('"drain":true', '"drain":false');
    expect(verifyWebhookRequest({ backend: keys.backend, trust: keys.trust, url, header, body: tampered })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhookRequest({ backend: keys.backend, trust: keys.trust, url: `${url}/elsewhere`, header, body: signed.body })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('throws a retryable error on a 5xx, and the retry carries the same Idempotency-Key so the receiver acts once', async () => {
    const sent = request();
    nextStatus = 503;
    await expect(effector().run(sent)).rejects.toBeInstanceOf(EffectorUnavailableError);
    expect(await effector().run(sent)).toEqual({ ok: true, detail: 'webhook answered 200: {"acted":true}' });
    expect(await effector().run(sent)).toEqual({ ok: true, detail: 'webhook answered 200: {"acted":false}' });
    expect(new Set(received.map((entry) => entry.headers['idempotency-key']))).toEqual(new Set([sent.requestId]));
  });

  it('fails the step on another 4xx without a retry', async () => {
    nextStatus = 422;
    expect(await effector().run(request())).toEqual({ ok: false, detail: 'webhook answered 422: status 422', errorCode: 'http_422' });
  });

  it('adds headers from the environment, and refuses to send without them', async () => {
    expect(await effector({ Authorization: 'ORDERS_TOKEN' }, { ORDERS_TOKEN: 'Bearer s3cret' }).run(request())).toMatchObject({ ok: true });
    expect(received[0]?.headers['authorization']).toBe('Bearer s3cret');
    expect(await effector({ Authorization: 'ORDERS_TOKEN' }, {}).run(request())).toEqual({
      ok: false,
      detail: 'header Authorization needs ORDERS_TOKEN, which is not set',
      errorCode: 'missing_credential',
    });
  });
});
