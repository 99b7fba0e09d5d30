import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, activeTraceIds, inSpan, recordSpansInSuite } from '@mapek/observability';
import { EffectorUnavailableError, type Effector, type EffectorRequest, type EffectorResult } from '../domain/effector.port.js';
import { TracedEffector } from './traced.effector.js';

const request: EffectorRequest = {
  requestId: 'r-1',
  planId: '0190c2a1-0000-7000-8000-000000000001',
  index: 0,
  step: { action: 'restart_service', target: 'checkout', params: {}, timeoutMs: 1000 },
  rollback: false,
};

/** An effector that answers `answer` (or throws it) and remembers the span it ran in. */
function effector(answer: EffectorResult | Error): Effector & { ranInSpan?: string } {
  const fake: Effector & { ranInSpan?: string } = {
    name: 'container',
    run: () => {
      const spanId = activeTraceIds().spanId;
      if (spanId) fake.ranInSpan = spanId;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return fake;
}

describe('a span around each effector call', () => {
  const spans = recordSpansInSuite({ beforeAll, afterAll, beforeEach });

  it('names the kind and action, carries the target, plan step and outcome, and runs the call inside it', async () => {
    const inner = effector({ ok: true, detail: 'restarted' });
    const result = await inSpan('process plan.approved', { kind: SpanKind.CONSUMER }, () =>
      new TracedEffector(inner, 'container').run(request),
    );
    expect(result).toEqual({ ok: true, detail: 'restarted' });
    const [call, parent] = spans.finished();
    expect(call?.name).toBe('effector container restart_service');
    // The Docker engine's API calls are CLIENT spans of their own beneath it.
    expect(call?.kind).toBe(SpanKind.INTERNAL);
    expect(call?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(inner.ranInSpan).toBe(call?.spanContext().spanId);
    expect(call?.attributes).toMatchObject({
      'mapek.effector.kind': 'container',
      'mapek.effector.action': 'restart_service',
      'mapek.target': 'checkout',
      'mapek.plan.id': request.planId,
      'mapek.plan.step': 0,
      'mapek.effector.rollback': false,
      'mapek.effector.outcome': 'ok',
    });
    expect(call?.status.code).toBe(0);
  });

  it('marks a step the effector refused as failed, with its error code', async () => {
    await new TracedEffector(effector({ ok: false, detail: 'webhook answered 403', errorCode: 'http_403' }), 'webhook').run(request);
    const [call] = spans.finished();
    // A webhook's call is the one request it sends: this span is its CLIENT span.
    expect(call?.kind).toBe(SpanKind.CLIENT);
    expect(call?.attributes['mapek.effector.outcome']).toBe('failed');
    expect(call?.attributes['error.type']).toBe('http_403');
    expect(call?.status).toEqual({ code: 2, message: 'webhook answered 403' });
  });

  it('records an unreachable effector as unavailable and passes the error on for the retry', async () => {
    const unreachable = new EffectorUnavailableError('no_responders', 'no agent answers for checkout');
    await expect(new TracedEffector(effector(unreachable), 'agent').run(request)).rejects.toBe(unreachable);
    const [call] = spans.finished();
    expect(call?.kind).toBe(SpanKind.INTERNAL);
    expect(call?.attributes['mapek.effector.outcome']).toBe('unavailable');
    expect(call?.attributes['error.type']).toBe('no_responders');
    expect(call?.events.map((event) => event.name)).toEqual(['exception']);
  });
});
