import type { Envelope } from '@mapek/contracts';
import type { Attributes } from '@mapek/observability';

/**
 * Span attributes of the OpenTelemetry messaging semantic conventions (still "development" there,
 * so named here rather than imported from the incubating entry point), plus mapek's own.
 */
export const MessagingAttribute = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  consumerGroup: 'messaging.consumer.group.name',
  bodySize: 'messaging.message.body.size',
  deliveryCount: 'messaging.nats.message.delivery_count',
  eventType: 'mapek.event.type',
  target: 'mapek.target',
  incidentId: 'mapek.incident.id',
  result: 'mapek.consume.result',
} as const;

/** `messaging.operation.type` values used here; the span name starts with the operation. */
export const MessagingOperation = { send: 'send', process: 'process' } as const;
export type MessagingOperation = (typeof MessagingOperation)[keyof typeof MessagingOperation];

export const MESSAGING_SYSTEM = 'nats';

/** The attributes of a span that sends or processes one envelope on `subject`. */
export function messagingAttributes(operation: MessagingOperation, subject: string, envelope: Envelope, bodySize: number): Attributes {
  return {
    [MessagingAttribute.system]: MESSAGING_SYSTEM,
    [MessagingAttribute.destination]: subject,
    [MessagingAttribute.operationType]: operation,
    [MessagingAttribute.operationName]: operation === MessagingOperation.send ? 'publish' : 'process',
    [MessagingAttribute.messageId]: envelope.id,
    [MessagingAttribute.bodySize]: bodySize,
    [MessagingAttribute.eventType]: envelope.type,
    [MessagingAttribute.target]: envelope.target,
    ...(envelope.incidentId ? { [MessagingAttribute.incidentId]: envelope.incidentId } : {}),
  };
}
