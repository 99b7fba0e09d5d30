import { randomBytes } from 'node:crypto';
import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

/**
 * The agent's spans, through the OpenTelemetry API alone (what a library embedded in someone
 * else's service should depend on): when the host process registers a tracer provider (the demo
 * app does when an OTLP endpoint is set), the agent's pushes and remedies are exported with the
 * host's spans; when it registers none, the API records nothing and the agent still sends a
 * `traceparent`, a new sampled one, as before, so mapek's services can trace the incident.
 */
const tracer = () => trace.getTracer('@mapek/agent');

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span's context as a W3C `traceparent`; a span of no provider (invalid context) gets new random ids, sampled. */
export function traceparentOf(span: Span): string {
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${spanContext.traceFlags.toString(16).padStart(2, '0')}`;
}

/** The context a received `traceparent` names (the executor's `actuate` span), or none when missing or malformed. */
export function contextOfTraceparent(value: string | undefined): Context {
  const match = value ? TRACEPARENT.exec(value) : null;
  if (!match) return ROOT_CONTEXT;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  return trace.isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

/** Starts one of the agent's spans under `parent` (default: a new trace); the caller ends it with {@link endAgentSpan}. */
export function startAgentSpan(name: string, kind: SpanKind, attributes: Attributes, parent: Context = ROOT_CONTEXT): Span {
  return tracer().startSpan(name, { kind, attributes }, parent);
}

/** A span that records nothing, for work that makes no trace of its own; its `traceparentOf` is a new random one. */
export function startUntracedSpan(): Span {
  return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
}

/** Ends a span, failed when `error` is given. */
export function endAgentSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const failure = error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error));
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }
  span.end();
}

/** Runs `fn` with `span` active. */
export function inAgentSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Names the active span (the responder's) after the remedy it runs: `actuate <action>`, as the executor's CLIENT span is. */
export function nameActiveRemedySpan(action: string): void {
  const span = trace.getActiveSpan();
  span?.updateName(`actuate ${action}`);
  span?.setAttribute('mapek.remedy.action', action);
}

export { SpanKind };
