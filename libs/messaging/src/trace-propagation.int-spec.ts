import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { StreamName, subjects, type Envelope } from '@mapek/contracts';
import { ServiceMetrics, SpanKind, createLogger, endSpan, startSpan, startTracing, withSpan, type Tracing } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { JetStreamEventConsumer } from './event-consumer.js';
import { JetStreamPublisher } from './event-publisher.js';
import { inServiceSpan, tracedServiceRequest } from './service-requests.js';
import { ensureStreams } from './topology.js';
import { currentTraceparent, inNewTrace } from './trace-context.js';

const prefix = 'mapek';
const logger = createLogger('test', 'silent');

/** A span as the OTLP/HTTP JSON encoding carries it (ids in hex, kind as a number). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
}
const SPAN_KIND_PRODUCER = 4;
const SPAN_KIND_CONSUMER = 5;
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

function attribute(span: OtlpSpan, key: string): string | number | undefined {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
}

/**
 * Receives what the real OTLP/HTTP exporter sends (the JSON encoding, as a Collector or Jaeger
 * would take it) and keeps the spans. The loop's trace in Jaeger itself is e2e/src/tracing.
 */
async function startOtlpReceiver(): Promise<{ url: string; spans: OtlpSpan[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, spans, server };
}

function symptomData() {
  const now = new Date().toISOString();
  return {
    source: 'threshold' as const,
    rule: 'memory',
    severity: 'critical' as const,
    metric: 'process_resident_memory_bytes',
    value: 500,
    threshold: 400,
    labels: {},
    description: 'memory above threshold',
    observedAt: now,
  };
}

describe('trace context across NATS hops (OpenTelemetry, W3C traceparent)', () => {
  let server: NatsServerProcess;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let tracing: Tracing;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    tracing = startTracing({
      service: 'test',
      instance: 'test-1',
      tracesUrl: receiver.url,
      protocol: 'http/json',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      exportDelayMs: 50,
    });
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await ensureStreams(jsm, { prefix, replicas: 1 });
  });

  afterAll(async () => {
    await tracing?.shutdown();
    await nc?.close();
    await server?.stop();
    receiver?.server.close();
  });

  it('runs each handler in a consumer span that continues the publisher’s trace, so a chain of events is one trace', async () => {
    expect(tracing.exporting).toBe(true);
    const publisher = new JetStreamPublisher({ js, prefix, source: 'monitor' });
    const seenTraceparents: string[] = [];
    let downstream: Envelope<'symptom'> | undefined;
    // The first hop's handler publishes an event of its own, as the analyzer publishes an analysis.
    const first = new JetStreamEventConsumer({
      nc,
      js,
      jsm,
      prefix,
      logger,
      metrics: new ServiceMetrics('test'),
      stream: StreamName.events,
      durable: 'trace-first',
      filterSubjects: [subjects.symptoms('traced')],
      handlers: {
        symptom: async (event) => {
          seenTraceparents.push(currentTraceparent() ?? '');
          await publisher.publish('symptom', { target: 'traced-next', causationId: event.id, data: symptomData() });
        },
      },
    });
    const second = new JetStreamEventConsumer({
      nc,
      js,
      jsm,
      prefix,
      logger,
      metrics: new ServiceMetrics('test'),
      stream: StreamName.events,
      durable: 'trace-second',
      filterSubjects: [subjects.symptoms('traced-next')],
      handlers: { symptom: (event) => Promise.resolve(void (downstream = event)) },
    });
    await first.start();
    await second.start();
    const symptom = await inNewTrace(() => publisher.publish('symptom', { target: 'traced', data: symptomData() }));
    await waitFor(() => downstream !== undefined, { what: 'the event published by the first handler' });
    await first.stop();
    await second.stop();
    await tracing.forceFlush();

    const spans = await waitFor(() => (receiver.spans.length >= 4 ? receiver.spans : undefined), {
      what: 'four spans at the OTLP receiver',
    });
    const find = (name: string, subject: string) =>
      spans.find((span) => span.name === name && attribute(span, 'messaging.destination.name') === subject);
    const sendSymptom = find('send symptom', subjects.symptoms('traced'));
    const processSymptom = find('process symptom', subjects.symptoms('traced'));
    const sendNext = find('send symptom', subjects.symptoms('traced-next'));
    const processNext = find('process symptom', subjects.symptoms('traced-next'));
    expect(sendSymptom?.kind).toBe(SPAN_KIND_PRODUCER);
    expect(sendSymptom?.parentSpanId || undefined).toBeUndefined();
    expect(processSymptom).toMatchObject({ kind: SPAN_KIND_CONSUMER, parentSpanId: sendSymptom?.spanId });
    expect(sendNext).toMatchObject({ kind: SPAN_KIND_PRODUCER, parentSpanId: processSymptom?.spanId });
    expect(processNext).toMatchObject({ kind: SPAN_KIND_CONSUMER, parentSpanId: sendNext?.spanId });
    expect(new Set([sendSymptom, processSymptom, sendNext, processNext].map((span) => span?.traceId))).toEqual(
      new Set([sendSymptom?.traceId]),
    );
    // Messaging semantic conventions on the consumer span.
    if (!processSymptom) throw new Error('no consumer span');
    expect(attribute(processSymptom, 'messaging.system')).toBe('nats');
    expect(attribute(processSymptom, 'messaging.destination.name')).toBe(subjects.symptoms('traced'));
    expect(attribute(processSymptom, 'messaging.message.id')).toBe(symptom.id);
    expect(attribute(processSymptom, 'messaging.consumer.group.name')).toBe('trace-first');
    // The handler saw its own span as the active context.
    expect(seenTraceparents).toEqual([`00-${processSymptom.traceId}-${processSymptom.spanId}-01`]);
  });

  it('continues a traced caller’s trace through a services-framework request and its answer, and leaves untraced requests without spans', async () => {
    const subject = `${prefix}.svc.test.answer`;
    const responder = nc.subscribe(subject, {
      callback: (_error, msg) =>
        void inServiceSpan(msg.subject, msg.headers, () => {
          msg.respond(JSON.stringify({ traceparent: currentTraceparent() ?? null }));
          return Promise.resolve(200);
        }),
    });
    const before = receiver.spans.length;
    const untraced = await inNewTrace(() => tracedServiceRequest(nc, subject, '{}', 5_000));
    expect(untraced.json<{ traceparent: string | null }>().traceparent).toBeNull();

    const caller = startSpan('caller', { kind: SpanKind.INTERNAL });
    const traced = await withSpan(caller, () => tracedServiceRequest(nc, subject, '{}', 5_000));
    endSpan(caller);
    responder.unsubscribe();
    await tracing.forceFlush();

    const spans = await waitFor(
      () => {
        const fresh = receiver.spans.slice(before);
        return fresh.some((span) => span.name === 'caller') && fresh.some((span) => span.kind === SPAN_KIND_SERVER) ? fresh : undefined;
      },
      { what: 'the caller, request and answer spans' },
    );
    const callerSpan = spans.find((span) => span.name === 'caller');
    const client = spans.find((span) => span.kind === SPAN_KIND_CLIENT && span.name === `request ${subject}`);
    const server = spans.find((span) => span.kind === SPAN_KIND_SERVER && span.name === `process ${subject}`);
    expect(client).toMatchObject({ traceId: callerSpan?.traceId, parentSpanId: callerSpan?.spanId });
    expect(server).toMatchObject({ traceId: callerSpan?.traceId, parentSpanId: client?.spanId });
    if (!server) throw new Error('no server span');
    expect(attribute(server, 'rpc.response.status_code')).toBe('200');
    // The answer ran with the server span active; the untraced request made no span at all.
    expect(traced.json<{ traceparent: string | null }>().traceparent).toBe(`00-${server.traceId}-${server.spanId}-01`);
    expect(spans.filter((span) => span.name.endsWith(subject))).toHaveLength(2);
  });
});
