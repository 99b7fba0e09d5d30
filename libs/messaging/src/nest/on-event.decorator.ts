import type { EventType } from '@mapek/contracts';

export const ON_EVENT_METADATA = Symbol.for('mapek.on-event');

/**
 * Marks a provider method as the handler of one event type. The messaging module discovers
 * these at bootstrap and binds them to the service's durable consumer:
 *
 * ```ts
 * @OnEvent('symptom')
 * async onSymptom(event: Envelope<'symptom'>) { ... }
 * ```
 */
export function OnEvent(type: EventType): MethodDecorator {
  return (target, propertyKey) => {
    const existing = (Reflect.getMetadata(ON_EVENT_METADATA, target.constructor) as Array<[EventType, string | symbol]> | undefined) ?? [];
    Reflect.defineMetadata(ON_EVENT_METADATA, [...existing, [type, propertyKey]], target.constructor);
  };
}
