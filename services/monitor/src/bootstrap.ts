import { ServiceName } from '@mapek/contracts';
import { followConfigurationFile, startService } from '@mapek/service-kit';
import { HeartbeatFeed } from './adapters/heartbeat.feed.js';
import { monitorSources } from './domain/monitored-target.js';
import { loadRules } from './domain/threshold-rules.js';
import { batchLingerMs, monitorConfig } from './monitor.config.js';
import { MonitorModule } from './monitor.module.js';

export async function bootstrap(): Promise<void> {
  await startService({
    service: ServiceName.monitor,
    defaultPort: 9101,
    config: monitorConfig,
    ownedPrefix: 'MAPEK_MONITOR_',
    module: async ({ config, logger, metrics, runtime }) => {
      const rules = loadRules(config.MAPEK_MONITOR_RULES_FILE);
      // The file's targets are read at every tick: a reloaded file takes effect at the next one.
      const live =
        config.MAPEK_CONFIG_FILE === undefined
          ? undefined
          : await followConfigurationFile({
              service: ServiceName.monitor,
              file: config.MAPEK_CONFIG_FILE,
              logger,
              metrics,
              intervalMs: config.MAPEK_CONFIG_RELOAD_MS,
            });
      let sourcesOf = live?.current();
      let sources = monitorSources(config.MAPEK_MONITOR_TARGETS, sourcesOf, rules);
      return MonitorModule.forRoot(
        {
          sources: () => {
            const current = live?.current();
            if (current !== sourcesOf) {
              sourcesOf = current;
              sources = monitorSources(config.MAPEK_MONITOR_TARGETS, current, rules);
            }
            return sources;
          },
          intervalMs: config.MAPEK_SCRAPE_INTERVAL_MS,
          spread: config.MAPEK_MONITOR_SPREAD_SCRAPES,
          timeoutMs: config.MAPEK_MONITOR_SCRAPE_TIMEOUT_MS,
          probeFailures: config.MAPEK_MONITOR_PROBE_FAILURES,
          batching: {
            partitions: config.MAPEK_MONITOR_BATCH_PARTITIONS,
            maxSamples: config.MAPEK_MONITOR_BATCH_MAX_SAMPLES,
            lingerMs: batchLingerMs(config),
          },
          heartbeats: new HeartbeatFeed(runtime.js, runtime.prefix, logger, metrics, runtime.verifier),
        },
        () => live?.status(),
      );
    },
  });
}
