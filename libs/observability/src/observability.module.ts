import { Controller, Get, Header, HttpCode, HttpStatus, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthRegistry } from './health.js';
import { createLogger } from './logger.js';
import { ServiceMetrics } from './metrics.js';

export const LOGGER = Symbol.for('mapek.logger');
export const METRICS = Symbol.for('mapek.metrics');
export const HEALTH = Symbol.for('mapek.health');

/** The minimal reply surface we need from Fastify's reply, so this lib does not depend on Fastify. */
interface StatusReply {
  status(code: number): StatusReply;
  send(payload: unknown): unknown;
}

@Controller('health')
class HealthController {
  constructor(@Inject(HEALTH) private readonly health: HealthRegistry) {}

  @Get()
  async all(@Res() reply: StatusReply): Promise<void> {
    const report = await this.health.readiness();
    reply.status(report.status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).send(report);
  }

  @Get('live')
  @HttpCode(200)
  live(): unknown {
    return this.health.liveness();
  }

  @Get('ready')
  async ready(@Res() reply: StatusReply): Promise<void> {
    const report = await this.health.readiness();
    reply.status(report.status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).send(report);
  }
}

@Controller('metrics')
class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: ServiceMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  text(): Promise<string> {
    return this.metrics.text();
  }
}

export interface ObservabilityOptions {
  readonly service: string;
  readonly logLevel?: Parameters<typeof createLogger>[1];
  readonly instance?: string;
  /** Pass instances created in bootstrap so startup errors are logged by the same logger. */
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  readonly health?: HealthRegistry;
  /** The gateway mounts its own /health with more detail; other services take these controllers. */
  readonly controllers?: boolean;
}

/** Logger, metrics registry, health registry and the /health and /metrics endpoints, for every service. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    const logger = options.logger ?? createLogger(options.service, options.logLevel, options.instance);
    const metrics = options.metrics ?? new ServiceMetrics(options.service);
    const health = options.health ?? new HealthRegistry(options.service);
    return {
      module: ObservabilityModule,
      global: true,
      controllers: options.controllers === false ? [] : [HealthController, MetricsController],
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: METRICS, useValue: metrics },
        { provide: HEALTH, useValue: health },
      ],
      exports: [LOGGER, METRICS, HEALTH],
    };
  }
}
