import { Body, Controller, HttpCode, HttpStatus, Inject, Param, Post } from '@nestjs/common';
import { Counter } from 'prom-client';
import { HeartbeatVia } from '@mapek/contracts';
import { EVENT_PUBLISHER, type EventPublisherPort } from '@mapek/messaging';
import { LOGGER, METRICS, type Logger, type ServiceMetrics } from '@mapek/observability';
import type { Principal } from '../domain/api-key.verifier.js';
import { heartbeatRequestSchema, heartbeatTarget } from '../domain/heartbeat-request.js';
import { Caller } from './access-control.js';
import { badRequest, httpError } from './http-errors.js';

export const HEARTBEAT_TARGETS = Symbol.for('mapek.gateway.heartbeat-targets');

/** The targets of the configuration file in force, or undefined without one (any valid name). */
export type HeartbeatTargets = () => ReadonlySet<string> | undefined;

/**
 * Heartbeats of services that do not embed the agent (a batch job, a cron, a service in another
 * language): `POST /api/v1/heartbeats/<target>` with an API key of role `heartbeat` publishes a
 * `heartbeat` on the telemetry stream, which the monitor follows. 202 once the stream stored it.
 */
@Controller('api/v1/heartbeats')
export class HeartbeatsController {
  private readonly heartbeats: Counter<'result'>;

  constructor(
    @Inject(HEARTBEAT_TARGETS) private readonly targets: HeartbeatTargets,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.heartbeats = new Counter({
      name: 'mapek_gateway_heartbeats_total',
      help: 'Heartbeats posted to the gateway, by result (taken, refused, failed)',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
  }

  @Post(':target')
  @HttpCode(HttpStatus.ACCEPTED)
  async beat(
    @Param('target') target: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
  ): Promise<{ target: string; eventId: string }> {
    const checked = heartbeatTarget(target, this.targets());
    if (!checked.ok) {
      this.heartbeats.inc({ result: 'refused' });
      throw httpError(checked.status, checked.status === 404 ? 'unknown_target' : 'bad_request', checked.reason);
    }
    const parsed = heartbeatRequestSchema.safeParse(body ?? {});
    if (!parsed.success) {
      this.heartbeats.inc({ result: 'refused' });
      throw badRequest(parsed.error);
    }
    try {
      const envelope = await this.publisher.publish('heartbeat', {
        target: checked.target,
        data: { via: HeartbeatVia.gateway, reporter: caller?.name ?? 'anonymous', sentAt: new Date().toISOString(), ...parsed.data },
      });
      this.heartbeats.inc({ result: 'taken' });
      return { target: checked.target, eventId: envelope.id };
    } catch (error) {
      this.heartbeats.inc({ result: 'failed' });
      this.logger.error({ err: error, target: checked.target }, 'could not store a heartbeat');
      throw httpError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'publish_failed',
        'the heartbeat could not be stored on the telemetry stream; send it again',
      );
    }
  }
}
