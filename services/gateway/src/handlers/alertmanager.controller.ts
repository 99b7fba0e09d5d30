import { Body, Controller, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { Counter } from 'prom-client';
import { EVENT_PUBLISHER, type EventPublisherPort } from '@mapek/messaging';
import { LOGGER, METRICS, type Logger, type ServiceMetrics } from '@mapek/observability';
import type { AlertMemoryStore } from '../adapters/alert-memory.js';
import {
  AlertStatus,
  alertmanagerWebhookSchema,
  alreadyTaken,
  readAlerts,
  type AlertSignal,
  type AlertSourceSettings,
} from '../domain/alertmanager-webhook.js';
import { badRequest, httpError } from './http-errors.js';

export const ALERT_SOURCE = Symbol.for('mapek.gateway.alert-source');
export const ALERT_MEMORY = Symbol.for('mapek.gateway.alert-memory');

/** The settings in force (the configuration file is reloaded while the gateway runs). */
export type AlertSource = () => AlertSourceSettings;

export interface AlertmanagerReceipt {
  /** Alerts taken: symptoms published for firing ones, resolutions for resolved ones. */
  readonly taken: number;
  /** Alerts already taken before (Alertmanager repeats firing alerts every repeat_interval). */
  readonly duplicates: number;
  readonly symptomIds: readonly string[];
  readonly resolutionIds: readonly string[];
}

/**
 * Alertmanager's webhook receiver (`webhook_configs`, payload version 4). A firing alert becomes a
 * `symptom` (source `alert`), a resolved one an `alert.resolved`; both with ids derived from the
 * alert's fingerprint and start, and remembered per fingerprint, so an alert sent again is taken
 * once. The whole payload is read before anything is published: a bad one is a 400 and changes
 * nothing. A failure to publish is a 503, which Alertmanager retries (it does not retry a 4xx).
 */
@Controller('api/v1/alertmanager')
export class AlertmanagerController {
  private readonly alerts: Counter<'status' | 'result'>;

  constructor(
    @Inject(ALERT_SOURCE) private readonly source: AlertSource,
    @Inject(ALERT_MEMORY) private readonly memory: AlertMemoryStore,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.alerts = new Counter({
      name: 'mapek_gateway_alerts_total',
      help: 'Alertmanager alerts received, by status (firing, resolved) and result (taken, duplicate)',
      labelNames: ['status', 'result'],
      registers: [metrics.registry],
    });
  }

  @Post()
  @HttpCode(HttpStatus.OK)
  async receive(@Body() body: unknown): Promise<AlertmanagerReceipt> {
    const settings = this.source();
    if (!settings.enabled)
      throw httpError(
        HttpStatus.FORBIDDEN,
        'alertmanager_disabled',
        'the Alertmanager source is disabled (sources.alertmanager.enabled: false)',
      );
    const parsed = alertmanagerWebhookSchema.safeParse(body ?? undefined);
    if (!parsed.success) throw badRequest(parsed.error);
    const read = readAlerts(parsed.data, settings, new Date());
    if (!read.ok) throw httpError(HttpStatus.BAD_REQUEST, 'bad_request', read.reason);
    const receipt = { taken: 0, duplicates: 0, symptomIds: [] as string[], resolutionIds: [] as string[] };
    for (const signal of read.signals) {
      let remembered;
      try {
        remembered = await this.memory.recall(signal.fingerprint);
        if (alreadyTaken(signal, remembered)) {
          receipt.duplicates++;
          this.alerts.inc({ status: signal.status, result: 'duplicate' });
          continue;
        }
        // Published before it is remembered: a crash in between publishes the same id again,
        // which JetStream (or, later, every consumer's idempotence on the id) takes once.
        await this.publish(signal);
        await this.memory.remember(signal.fingerprint, { symptomId: signal.symptomId, status: signal.status });
      } catch (error) {
        this.logger.error({ err: error, fingerprint: signal.fingerprint, target: signal.target }, 'could not take an Alertmanager alert');
        throw httpError(
          HttpStatus.SERVICE_UNAVAILABLE,
          'publish_failed',
          'the alert could not be stored on the event stream; Alertmanager will send it again',
        );
      }
      receipt.taken++;
      this.alerts.inc({ status: signal.status, result: 'taken' });
      if (signal.status === AlertStatus.firing) receipt.symptomIds.push(signal.symptomId);
      else receipt.resolutionIds.push(signal.eventId);
      this.logger.info(
        { fingerprint: signal.fingerprint, target: signal.target, status: signal.status, symptomId: signal.symptomId },
        `Alertmanager alert ${signal.status}`,
      );
    }
    return receipt;
  }

  private async publish(signal: AlertSignal): Promise<void> {
    if (signal.status === AlertStatus.firing) {
      await this.publisher.publish('symptom', { id: signal.symptomId, target: signal.target, data: signal.symptom });
    } else {
      await this.publisher.publish('alert.resolved', {
        id: signal.eventId,
        target: signal.target,
        causationId: signal.symptomId,
        data: signal.resolution,
      });
    }
  }
}
