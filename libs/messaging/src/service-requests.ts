import { headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { SpanKind, activeSpanRecording, endSpan, extractTraceContext, injectTraceContext, startSpan, withSpan } from '@mapek/observability';
import { MESSAGING_SYSTEM, MessagingAttribute } from './messaging-spans.js';

/** The error code a NATS services framework reply carries in its headers, if any. */
export function serviceErrorCode(reply: Pick<Msg, 'headers'>): string | undefined {
  return reply.headers?.get('Nats-Service-Error-Code') || undefined;
}

/**
 * A request on the NATS services framework (a knowledge query) as part of the active trace: a
 * CLIENT span around it, and its context in the request's `traceparent` header, so the service's
 * answer and the database queries behind it join the trace. Without a recorded span active (a
 * background refresh, or tracing off) it is a plain request: no span, no root trace of its own.
 */
export async function tracedServiceRequest(nc: NatsConnection, subject: string, payload: string, timeoutMs: number): Promise<Msg> {
  if (!activeSpanRecording()) return nc.request(subject, payload, { timeout: timeoutMs });
  const span = startSpan(`request ${subject}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      [MessagingAttribute.system]: MESSAGING_SYSTEM,
      [MessagingAttribute.destination]: subject,
      [MessagingAttribute.operationType]: 'send',
      [MessagingAttribute.operationName]: 'request',
      [MessagingAttribute.bodySize]: Buffer.byteLength(payload),
    },
  });
  const headers = natsHeaders();
  injectTraceContext({ set: (name, value) => headers.set(name, value) }, span);
  try {
    const reply = await nc.request(subject, payload, { timeout: timeoutMs, headers });
    const code = serviceErrorCode(reply);
    endSpan(
      span,
      code && Number(code) >= 500 ? `service error ${code}` : undefined,
      code ? { 'rpc.response.status_code': code } : undefined,
    );
    return reply;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/**
 * Answers a services-framework request inside a SERVER span that continues the requester's trace
 * (its `traceparent` header). `answer` responds and resolves to the status it sent (200, or the
 * service error code); 5xx marks the span failed. A request that carries no trace context is
 * answered without a span, so periodic queries from untraced callers make no traces of their own.
 */
export async function inServiceSpan(
  subject: string,
  requestHeaders: { get(name: string): string } | undefined,
  answer: () => Promise<number>,
): Promise<number> {
  if (!requestHeaders?.get('traceparent')) return answer();
  const span = startSpan(`process ${subject}`, {
    kind: SpanKind.SERVER,
    parent: extractTraceContext({ get: (name) => requestHeaders.get(name) || undefined }),
    attributes: {
      [MessagingAttribute.system]: MESSAGING_SYSTEM,
      [MessagingAttribute.destination]: subject,
      [MessagingAttribute.operationType]: 'process',
      [MessagingAttribute.operationName]: 'respond',
    },
  });
  try {
    const status = await withSpan(span, answer);
    endSpan(span, status >= 500 ? `service error ${status}` : undefined, { 'rpc.response.status_code': String(status) });
    return status;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}
