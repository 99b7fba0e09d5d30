import { Counter, Gauge } from 'prom-client';
import type { ServiceMetrics } from './metrics.js';

/**
 * The configuration file's metrics, the same in every service that reads it: alert on
 * `mapek_configuration_last_load_success == 0` (a refused file: the last good one is still in
 * force, and `/status` says why).
 */
export class ConfigurationMetrics {
  private readonly loads: Counter;
  private readonly rejections: Counter;
  private readonly lastLoadSuccess: Gauge;

  constructor(metrics: ServiceMetrics) {
    const registers = [metrics.registry];
    this.loads = new Counter({
      name: 'mapek_configuration_loads_total',
      help: 'Versions of the configuration file taken into force, the first one included',
      registers,
    });
    this.rejections = new Counter({
      name: 'mapek_configuration_rejections_total',
      help: 'Versions of the configuration file refused (the last good one stayed in force)',
      registers,
    });
    this.lastLoadSuccess = new Gauge({
      name: 'mapek_configuration_last_load_success',
      help: '1 when the last version of the configuration file read was taken, 0 when it was refused',
      registers,
    });
  }

  loaded(): void {
    this.loads.inc();
    this.lastLoadSuccess.set(1);
  }

  rejected(): void {
    this.rejections.inc();
    this.lastLoadSuccess.set(0);
  }
}
