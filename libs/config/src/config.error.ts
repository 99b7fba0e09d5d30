import { MapekError } from '@mapek/contracts';
/** Thrown when configuration is missing or invalid; the message is meant for a human at a terminal. */
export class ConfigError extends MapekError {
  readonly code = 'config_invalid';
  readonly retryable = false;
  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(`${service}: refusing to start, configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
