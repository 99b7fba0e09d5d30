import { configurationFileConfig, env, type ConfigSpec } from '@mapek/config';

export const executorConfig = {
  MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: {
    schema: env.integer(10_000, 500),
    description: 'how long the target is watched after the last step',
  },
  MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: {
    schema: env.integer(1500, 0),
    description: 'settling time after the last step before violations count',
  },
  MAPEK_EXECUTOR_MAX_CONCURRENT: { schema: env.integer(4, 1, 64), description: 'executions running at once per replica' },
  MAPEK_EXECUTOR_STEP_RETRIES: {
    schema: env.integer(2, 0, 10),
    description: 'retries of a step whose effector timed out or was unreachable',
  },
  MAPEK_EXECUTOR_BREAKER_FAILURES: {
    schema: env.integer(5, 1),
    description: 'consecutive effector failures that open its circuit breaker',
  },
  MAPEK_EXECUTOR_BREAKER_RESET_MS: {
    schema: env.integer(30_000, 100),
    description: 'how long an open breaker waits before a half-open trial',
  },
  MAPEK_EXECUTOR_COMMAND_TIMEOUT_MS: {
    schema: env.integer(10_000, 100, 600_000),
    description: 'timeout of the one step of a manual command',
  },
  MAPEK_EXECUTOR_SYMPTOM_STALE_MS: {
    schema: env.integer(30_000, 100, 3_600_000),
    description:
      'before each step the target is re-read: a scraped or probed symptom not reported again for this long is gone and the step is skipped (not_needed); keep it above the scrape interval',
  },
  // The configuration file: each target's effector and capabilities, and the limits; without it
  // every target has the embedded agent and there are no caps.
  ...configurationFileConfig,
  MAPEK_ACK_WAIT_MS: { schema: env.integer(30_000, 1000), description: 'JetStream ack wait of the executor consumers' },
} satisfies ConfigSpec;
