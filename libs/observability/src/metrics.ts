import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus registry of one service, with the metrics every service shares.
 * Names follow Prometheus conventions: `mapek_` prefix, unit suffix, `_total` for counters.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly eventsPublished: Counter<'type'>;
  readonly eventsConsumed: Counter<'type' | 'consumer' | 'result'>;
  readonly eventsRejected: Counter<'reason' | 'consumer'>;
  readonly eventsDeadLettered: Counter<'consumer' | 'reason'>;
  readonly handleDuration: Histogram<'type' | 'consumer'>;
  readonly publishDuration: Histogram<'type'>;
  readonly pqcOperationDuration: Histogram<'op' | 'alg' | 'backend'>;
  readonly trustBundleReloads: Counter<'result'>;
  readonly trustBundleNotAfter: Gauge;
  readonly up: Gauge;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.eventsPublished = new Counter({
      name: 'mapek_events_published_total',
      help: 'Events published and acknowledged by JetStream, by event type',
      labelNames: ['type'],
      registers: [this.registry],
    });
    this.eventsConsumed = new Counter({
      name: 'mapek_events_consumed_total',
      help: 'Events handled by a consumer, by type and result (ok, duplicate, ignored, retry, unavailable_retry, failed)',
      labelNames: ['type', 'consumer', 'result'],
      registers: [this.registry],
    });
    this.eventsRejected = new Counter({
      name: 'mapek_events_rejected_total',
      help: 'Messages rejected before a handler ran (malformed, invalid_data, unknown_type, bad_signature, ...)',
      labelNames: ['reason', 'consumer'],
      registers: [this.registry],
    });
    this.eventsDeadLettered = new Counter({
      name: 'mapek_events_dead_lettered_total',
      help: 'Messages moved to the dead-letter stream',
      labelNames: ['consumer', 'reason'],
      registers: [this.registry],
    });
    this.handleDuration = new Histogram({
      name: 'mapek_event_handle_duration_seconds',
      help: 'Time a handler took for one event',
      labelNames: ['type', 'consumer'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.publishDuration = new Histogram({
      name: 'mapek_event_publish_duration_seconds',
      help: 'Time from publish to JetStream acknowledgement',
      labelNames: ['type'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [this.registry],
    });
    this.trustBundleReloads = new Counter({
      name: 'mapek_trust_bundle_reloads_total',
      help: 'Changes of the trust bundle file picked up (reloaded) or refused (rejected: bad CA signature, expired, malformed)',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.trustBundleNotAfter = new Gauge({
      name: 'mapek_trust_bundle_not_after_seconds',
      help: 'End of validity of the trust bundle in force (Unix time): alert well before it passes',
      registers: [this.registry],
    });
    this.pqcOperationDuration = new Histogram({
      name: 'mapek_pqc_operation_duration_seconds',
      help: 'Post-quantum operations (keygen, sign, verify, encapsulate, decapsulate, seal, open) by algorithm and backend',
      labelNames: ['op', 'alg', 'backend'],
      buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers: [this.registry],
    });
    this.up = new Gauge({ name: 'mapek_service_up', help: '1 while the service is running', registers: [this.registry] });
    this.up.set(1);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
