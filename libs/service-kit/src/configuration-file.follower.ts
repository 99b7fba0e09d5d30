import { ConfigError, ConfigurationFileError, watchConfigurationFile, type LiveConfiguration } from '@mapek/config';
import type { MapekConfiguration } from '@mapek/contracts';
import { ConfigurationMetrics, type Logger, type ServiceMetrics } from '@mapek/observability';

export interface FollowConfigurationOptions {
  readonly service: string;
  readonly file: string;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** How often the file is checked (default 2 s). */
  readonly intervalMs?: number;
  /** A new good version is in force; the service applies it (its errors are logged, not fatal). */
  readonly onChange?: (next: MapekConfiguration, previous: MapekConfiguration) => void | Promise<void>;
}

/**
 * Reads the configuration file (a bad one refuses the start: a ConfigError naming every problem,
 * which `startService` turns into exit 78) and follows it, with the `mapek_configuration_*`
 * metrics and a log line for every version taken or refused. Every service that reads the file
 * does it through this; `status()` of the result is what its `/status` shows.
 */
export async function followConfigurationFile(options: FollowConfigurationOptions): Promise<LiveConfiguration> {
  const metrics = new ConfigurationMetrics(options.metrics);
  const onChange = async (next: MapekConfiguration, previous: MapekConfiguration): Promise<void> => {
    metrics.loaded();
    options.logger.info({ file: options.file, targets: next.targets.map((target) => target.name) }, 'configuration file reloaded');
    try {
      await options.onChange?.(next, previous);
    } catch (error) {
      options.logger.error({ err: error, file: options.file }, 'applying the reloaded configuration failed');
    }
  };
  const onRejected = (error: ConfigurationFileError): void => {
    metrics.rejected();
    options.logger.error(
      { file: options.file, problems: error.problems, code: error.code },
      'configuration file refused; the last good version stays in force',
    );
  };
  let live: LiveConfiguration;
  try {
    live = await watchConfigurationFile(options.file, {
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      onChange,
      onRejected,
    });
  } catch (error) {
    if (error instanceof ConfigurationFileError) throw new ConfigError(options.service, [`MAPEK_CONFIG_FILE: ${error.message}`]);
    throw error;
  }
  metrics.loaded();
  options.logger.info({ file: options.file, targets: live.current().targets.map((target) => target.name) }, 'configuration file loaded');
  return live;
}
