import { ServiceName } from '@mapek/contracts';
import { startService } from '@mapek/service-kit';
import { loadRules } from './domain/threshold-rules.js';
import { monitorConfig } from './monitor.config.js';
import { MonitorModule } from './monitor.module.js';

export async function bootstrap(): Promise<void> {
  await startService({
    service: ServiceName.monitor,
    defaultPort: 9101,
    config: monitorConfig,
    ownedPrefix: 'MAPEK_MONITOR_',
    module: ({ config }) =>
      MonitorModule.forRoot({
        targets: config.MAPEK_MONITOR_TARGETS,
        rules: loadRules(config.MAPEK_MONITOR_RULES_FILE),
        intervalMs: config.MAPEK_SCRAPE_INTERVAL_MS,
        timeoutMs: config.MAPEK_MONITOR_SCRAPE_TIMEOUT_MS,
        probeFailures: config.MAPEK_MONITOR_PROBE_FAILURES,
      }),
  });
}
