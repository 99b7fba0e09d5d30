import { Controller, Get, Inject } from '@nestjs/common';
import type { ConfigurationStatus } from '@mapek/config';
import { MONITOR_SETTINGS, ScrapeScheduler, type MonitorSettings } from './scrape.scheduler.js';

export const CONFIGURATION_STATUS = Symbol.for('mapek.monitor.configuration-status');

/** Where the monitor's configuration file stands, or undefined without one. */
export type ConfigurationStatusSource = () => ConfigurationStatus | undefined;

/**
 * What the monitor watches now and the configuration file in force: how often it was loaded, and
 * the last refusal with its problems (cleared once a good version is loaded).
 */
@Controller('status')
export class StatusController {
  constructor(
    @Inject(MONITOR_SETTINGS) private readonly settings: MonitorSettings,
    @Inject(CONFIGURATION_STATUS) private readonly configuration: ConfigurationStatusSource,
    private readonly scheduler: ScrapeScheduler,
  ) {}

  @Get()
  status(): unknown {
    const sources = this.settings.sources();
    return {
      configuration: this.configuration() ?? null,
      prometheus: sources.prometheus?.url ?? null,
      targets: sources.targets.map((target) => ({
        name: target.name,
        metricsUrl: target.metricsUrl ?? null,
        rules: target.rules.map((rule) => rule.name),
        probes: target.probes.map((probe) => probe.kind),
        prometheus: target.prometheus.map((rule) => rule.name),
        heartbeatTimeoutMs: target.heartbeat?.timeoutMs ?? null,
      })),
      heartbeats: this.scheduler.heartbeatsSeen(),
      time: new Date().toISOString(),
    };
  }
}
