import type { ConfigSpec } from './config.loader.js';
import { env } from './env.schemas.js';

/**
 * The variable naming the configuration file (`mapek.yaml`), for the services that read it: spread
 * into a service's config spec. It is outside every service's own prefix, so one environment can
 * hand it to all of them (`./mapek start --config`, the compose file, the Helm chart).
 */
export const configurationFileConfig = {
  MAPEK_CONFIG_FILE: {
    schema: env.optionalString(),
    description:
      'the configuration file (mapek.yaml: targets, sources, effectors, limits), reloaded when it changes; unset: the service’s own variables only',
  },
  MAPEK_CONFIG_RELOAD_MS: {
    schema: env.integer(2000, 100, 600_000),
    description: 'how often the configuration file is checked for a change',
  },
} satisfies ConfigSpec;
