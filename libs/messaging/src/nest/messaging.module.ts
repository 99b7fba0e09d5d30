import 'reflect-metadata';
import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import type { EventType } from '@mapek/contracts';
import { HEALTH, LOGGER, METRICS, type HealthRegistry, type Logger, type ServiceMetrics } from '@mapek/observability';
import { JetStreamEventConsumer, type EventConsumerOptions, type EventHandler, type HandlerMap } from '../event-consumer.js';
import type { MessagingRuntime } from '../messaging-runtime.js';
import { ON_EVENT_METADATA } from './on-event.decorator.js';

export const MESSAGING = Symbol.for('mapek.messaging');
export const EVENT_PUBLISHER = Symbol.for('mapek.event-publisher');
export const CONSUMER_OPTIONS = Symbol.for('mapek.consumer-options');

export type ConsumerSettings = Omit<EventConsumerOptions, 'nc' | 'js' | 'jsm' | 'prefix' | 'handlers' | 'metrics' | 'logger'> & {
  /** The event types this consumer hands to their `@OnEvent` handlers (default: all discovered). */
  readonly types?: readonly EventType[];
};

/** Finds `@OnEvent` methods, runs the durable consumer over them, and drains NATS on shutdown. */
@Injectable()
class EventHandlerExplorer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly consumers: JetStreamEventConsumer[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(MESSAGING) private readonly runtime: MessagingRuntime,
    @Inject(CONSUMER_OPTIONS) private readonly settings: readonly ConsumerSettings[],
    @Inject(METRICS) private readonly metrics: ServiceMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(HEALTH) private readonly health: HealthRegistry,
  ) {}

  private collectHandlers(): HandlerMap {
    const handlers: Record<string, EventHandler> = {};
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const entries = Reflect.getMetadata(ON_EVENT_METADATA, instance.constructor) as Array<[EventType, string | symbol]> | undefined;
      for (const [type, key] of entries ?? []) {
        if (handlers[type]) throw new Error(`two handlers for ${type}: ${wrapper.name} and another provider`);
        const method = (instance as Record<string | symbol, unknown>)[key];
        if (typeof method !== 'function') continue;
        handlers[type] = (envelope, context) => (method as EventHandler).call(instance, envelope, context);
      }
    }
    return handlers;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('nats', () => {
      if (this.runtime.nc.isClosed()) throw new Error('connection closed');
      if (this.runtime.nc.isDraining()) throw new Error('draining');
    });
    const handlers = this.collectHandlers();
    for (const settings of this.settings) {
      const { types, ...options } = settings;
      const own = types
        ? (Object.fromEntries(Object.entries(handlers).filter(([type]) => types.includes(type as EventType))) as HandlerMap)
        : handlers;
      const verifier = options.verifier ?? this.runtime.verifier;
      const consumer = new JetStreamEventConsumer({
        ...options,
        ...(verifier ? { verifier } : {}),
        nc: this.runtime.nc,
        js: this.runtime.js,
        jsm: this.runtime.jsm,
        prefix: this.runtime.prefix,
        handlers: own,
        metrics: this.metrics,
        logger: this.logger,
      });
      await consumer.start();
      this.consumers.push(consumer);
      this.logger.info({ durable: settings.durable, types: consumer.handledTypes }, 'consuming');
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.health.markShuttingDown();
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}

export interface MessagingModuleOptions {
  readonly runtime: MessagingRuntime;
  /** The service's durable consumers; none for services that only publish. */
  readonly consumers?: readonly ConsumerSettings[];
}

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING, useValue: options.runtime },
        { provide: EVENT_PUBLISHER, useValue: options.runtime.publisher },
        { provide: CONSUMER_OPTIONS, useValue: options.consumers ?? [] },
        EventHandlerExplorer,
      ],
      exports: [MESSAGING, EVENT_PUBLISHER],
    };
  }
}
