import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configurationFileConfig, env, type ConfigSpec } from '@mapek/config';

/** `[["orders","postgres"], ...]`: the first depends on the second. Inline JSON or @file. */
const dependenciesSchema = z
  .string()
  .default('[]')
  .transform((raw, context) => {
    try {
      return JSON.parse(raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw) as unknown;
    } catch (error) {
      context.addIssue({ code: 'custom', message: `not readable JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(z.array(z.tuple([z.string().min(1), z.string().min(1)])));

export const analyzerConfig = {
  ...configurationFileConfig,
  MAPEK_ANALYZER_DEPENDENCIES: {
    schema: dependenciesSchema,
    description: 'declared dependency edges [dependent, dependency]: JSON or @file',
  },
  MAPEK_ANALYZER_INCIDENT_QUIET_MS: {
    schema: env.integer(60_000, 1000),
    description: 'an incident with no new symptom for this long is closed',
  },
  MAPEK_ANALYZER_SETTLE_MS: {
    schema: env.integer(1500, 0, 60_000),
    description:
      'an incident opened by CPU, latency or errors waits this long for its likely cause (a leak, a full pool) before it is analyzed; 0 analyzes at once',
  },
  MAPEK_ANALYZER_JOIN_WINDOW_MS: {
    schema: env.integer(5000, 0, 300_000),
    description:
      "a kind of trouble that starts this long after a target's incident opened is another fault, with its own incident, unless it follows from a kind the incident has, or from a live incident kept apart (a leak's CPU)",
  },
  MAPEK_ANALYZER_CORRELATION_WINDOW_MS: {
    schema: env.integer(300_000, 1000),
    description: 'how far back symptoms are considered for patterns and root cause',
  },
  MAPEK_ANALYZER_WATCHED_SERIES_FILE: {
    schema: env.optionalString(),
    description: 'series scored for anomalies, JSON file (default: the agent gauges)',
  },
  MAPEK_ANALYZER_WARMUP_SAMPLES: { schema: env.integer(150, 1, 100_000), description: 'samples a series is learned before it can alarm' },
  MAPEK_ANALYZER_SAMPLE_CONCURRENCY: {
    // A batch is its message and its parsed samples until it is acknowledged, and the consumer
    // buffers twice as many: 128 batches of ~100 targets held ~150 MB. With the monitor's scrapes
    // spread (an option) a batch holds ~30 targets, and a drain's rate follows the scrapes in flight: 16 drained
    // 94,000 samples/s, 8 would hold a quarter of what 16 held before (ADR 0016, amended).
    schema: env.integer(16, 1, 1000),
    description:
      'sample batches (each the scrapes of many targets) scored at once; their detector checkpoints are written together, one per target, before they are acknowledged',
  },
  MAPEK_ANALYZER_CHECKPOINT_INTERVAL_MS: {
    // At 1,000 targets a checkpoint per target per flush was ~1,000 KV writes (11 MB) a second and
    // 40 % of the analyzer's CPU. Batches wait for theirs without holding a slot (acknowledgeWhen);
    // after a crash, at most this much is scored again.
    schema: env.integer(2000, 0, 10_000),
    description:
      'least time between two writes of the detector checkpoints (each target at most once per interval); sample batches are acknowledged once theirs is stored, 0 writes as soon as the last write ended',
  },
  MAPEK_ANALYZER_EVENT_CONCURRENCY: {
    // A target's symptoms, outcomes and resolutions are handled in order; one target's wait for
    // KV does not hold up another's. With 1, a burst of faults waited in one line (ADR 0018).
    schema: env.integer(8, 1, 256),
    description: 'targets whose symptoms, outcomes and resolved alerts are handled at once (each target in order)',
  },
  MAPEK_ANALYZER_ANOMALY_DETECTION: { schema: env.boolean(true), description: 'score the sample stream and raise anomaly symptoms' },
  MAPEK_ACK_WAIT_MS: { schema: env.integer(30_000, 1000), description: 'JetStream ack wait of the analyzer consumer' },
} satisfies ConfigSpec;
