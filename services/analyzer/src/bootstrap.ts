import { detectorConfig } from '@mapek/anomaly';
import { BucketName, ConsumerName, ServiceName, StreamName } from '@mapek/contracts';
import { followConfigurationFile, startService } from '@mapek/service-kit';
import { analyzerConfig } from './analyzer.config.js';
import { AnalyzerModule } from './analyzer.module.js';
import { declaredDependencies } from './domain/declared-dependencies.js';
import { loadWatchedSeries } from './domain/watched-series.js';

export async function bootstrap(): Promise<void> {
  await startService({
    service: ServiceName.analyzer,
    defaultPort: 9102,
    config: analyzerConfig,
    ownedPrefix: 'MAPEK_ANALYZER_',
    consumers: ({ config }) => [
      {
        stream: StreamName.events,
        durable: ConsumerName.analyzer,
        ackWaitMs: config.MAPEK_ACK_WAIT_MS,
        types: ['symptom', 'outcome', 'alert.resolved'],
        // An incident is a target's (incident-book): its events in order, other targets' at once.
        concurrency: config.MAPEK_ANALYZER_EVENT_CONCURRENCY,
        orderKey: (envelope) => envelope.target,
      },
      ...(config.MAPEK_ANALYZER_ANOMALY_DETECTION
        ? [
            {
              stream: StreamName.telemetry,
              durable: ConsumerName.analyzerSamples,
              ackWaitMs: config.MAPEK_ACK_WAIT_MS,
              concurrency: config.MAPEK_ANALYZER_SAMPLE_CONCURRENCY,
              types: ['sample.batch' as const],
            },
          ]
        : []),
    ],
    module: async ({ config, runtime, logger, metrics }) => {
      // The file's `dependsOn` edges join the declared graph, and follow the file while it runs.
      const live =
        config.MAPEK_CONFIG_FILE === undefined
          ? undefined
          : await followConfigurationFile({
              service: ServiceName.analyzer,
              file: config.MAPEK_CONFIG_FILE,
              logger,
              metrics,
              intervalMs: config.MAPEK_CONFIG_RELOAD_MS,
            });
      let seen = live?.current();
      let dependencies = declaredDependencies(config.MAPEK_ANALYZER_DEPENDENCIES, seen);
      return AnalyzerModule.forRoot(
        {
          get dependencies() {
            if (live?.current() !== seen) {
              seen = live?.current();
              dependencies = declaredDependencies(config.MAPEK_ANALYZER_DEPENDENCIES, seen);
            }
            return dependencies;
          },
          quietMs: config.MAPEK_ANALYZER_INCIDENT_QUIET_MS,
          correlationWindowMs: config.MAPEK_ANALYZER_CORRELATION_WINDOW_MS,
          settleMs: config.MAPEK_ANALYZER_SETTLE_MS,
          joinWindowMs: config.MAPEK_ANALYZER_JOIN_WINDOW_MS,
        },
        {
          series: loadWatchedSeries(config.MAPEK_ANALYZER_WATCHED_SERIES_FILE),
          detector: { ...detectorConfig, warmupSamples: config.MAPEK_ANALYZER_WARMUP_SAMPLES },
          checkpointIntervalMs: config.MAPEK_ANALYZER_CHECKPOINT_INTERVAL_MS,
        },
        await runtime.openBucket(BucketName.analyzerState),
      );
    },
  });
}
