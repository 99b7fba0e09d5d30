import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  SpanKind,
  activeSpanRecording,
  addSpanEvent,
  currentTraceparent,
  inRecordedChildSpan,
  inSpan,
  inStoredTrace,
  recordFinishedSpan,
  withSpan,
  traceparentContext,
  withoutTrace,
} from './tracing.js';
import { recordSpansInSuite } from './tracing.testing.js';

const INCIDENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCIDENT_SPAN = '00f067aa0ba902b7';
const stored = `00-${INCIDENT_TRACE}-${INCIDENT_SPAN}-01`;

describe('continuing a stored trace and adding events to the active span', () => {
  const spans = recordSpansInSuite({ beforeAll, afterAll, beforeEach });

  it('runs work in a span of the stored trace, linked to the request span active when it started', async () => {
    let inside: string | undefined;
    await inSpan('POST /api/v1/plans/:id/approve', { kind: SpanKind.SERVER }, () =>
      inStoredTrace(stored, 'decide approve', { kind: SpanKind.INTERNAL }, () => {
        inside = currentTraceparent();
        return Promise.resolve();
      }),
    );
    const decision = spans.finished().find((span) => span.name === 'decide approve');
    const request = spans.finished().find((span) => span.name.startsWith('POST'));
    expect(decision?.spanContext().traceId).toBe(INCIDENT_TRACE);
    expect(decision?.parentSpanContext?.spanId).toBe(INCIDENT_SPAN);
    expect(decision?.links.map((link) => link.context.spanId)).toEqual([request?.spanContext().spanId]);
    expect(request?.spanContext().traceId).not.toBe(INCIDENT_TRACE);
    // What the work publishes carries the decision span's context, in the incident's trace.
    expect(inside).toBe(`00-${INCIDENT_TRACE}-${decision?.spanContext().spanId}-01`);
  });

  it('falls back to a child of the active span when there is no usable stored trace', async () => {
    expect(traceparentContext('not-a-traceparent')).toBeUndefined();
    await inSpan('request', { kind: SpanKind.SERVER }, () =>
      inStoredTrace('not-a-traceparent', 'decide reject', { kind: SpanKind.INTERNAL }, () => Promise.resolve()),
    );
    const [decision, request] = spans.finished();
    expect(decision?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(decision?.links).toEqual([]);
  });

  it('adds events only to a recorded active span', async () => {
    expect(activeSpanRecording()).toBe(false);
    withoutTrace(() => addSpanEvent('pqc.sign'));
    await inSpan('send symptom', { kind: SpanKind.PRODUCER }, () => {
      expect(activeSpanRecording()).toBe(true);
      addSpanEvent('pqc.sign', { 'pqc.algorithm': 'ML-DSA-65' });
      return Promise.resolve();
    });
    const [span] = spans.finished();
    expect(span?.events.map((event) => [event.name, event.attributes])).toEqual([['pqc.sign', { 'pqc.algorithm': 'ML-DSA-65' }]]);
  });

  it('makes a child span for I/O only under a recorded parent, and never a root of its own', async () => {
    const answered = await withoutTrace(() =>
      inRecordedChildSpan('kv get plans', { kind: SpanKind.CLIENT }, (span) => Promise.resolve(span === undefined)),
    );
    expect(answered).toBe(true);
    expect(spans.finished()).toEqual([]);
    await inSpan('process plan.approved', { kind: SpanKind.CONSUMER }, () =>
      inRecordedChildSpan('kv get plans', { kind: SpanKind.CLIENT }, (span) => {
        span?.setAttribute('mapek.kv.revision', 7);
        return Promise.resolve();
      }),
    );
    const [child, parent] = spans.finished();
    expect(child?.name).toBe('kv get plans');
    expect(child?.attributes['mapek.kv.revision']).toBe(7);
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
  });

  it('records finished work as a root span with its own times, and runs what followed from it beneath it', () => {
    const startTime = Date.now() - 250;
    const endTime = startTime + 40.5;
    const scrape = withoutTrace(() =>
      recordFinishedSpan({ name: 'GET', kind: SpanKind.CLIENT, startTime, endTime, attributes: { 'http.response.status_code': 200 } }),
    );
    const child = withSpan(scrape, () => currentTraceparent());
    const probe = withoutTrace(() =>
      recordFinishedSpan({ name: 'connect', kind: SpanKind.CLIENT, startTime, endTime, error: new Error('ECONNREFUSED') }),
    );
    const [recorded, failed] = spans.finished();
    expect(recorded?.parentSpanContext).toBeUndefined();
    const ms = ([seconds, nanos]: readonly [number, number] = [0, 0]) => seconds * 1000 + nanos / 1e6;
    expect(ms(recorded?.startTime)).toBeCloseTo(startTime, 0);
    expect(ms(recorded?.duration)).toBeCloseTo(40.5, 0);
    expect(child).toBe(`00-${scrape.spanContext().traceId}-${scrape.spanContext().spanId}-01`);
    expect(failed?.status).toMatchObject({ code: 2, message: 'ECONNREFUSED' });
    expect(failed?.events.map((event) => event.name)).toEqual(['exception']);
    expect(probe.spanContext().traceId).not.toBe(scrape.spanContext().traceId);
  });
});
