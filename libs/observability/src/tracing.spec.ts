import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  SpanKind,
  activeSpanRecording,
  addSpanEvent,
  currentTraceparent,
  inSpan,
  inStoredTrace,
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
});
