import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configurationFileConfig, env, type ConfigSpec } from '@mapek/config';
import { targetSchema } from '@mapek/contracts';

export const scrapeTargetSchema = z.strictObject({
  name: targetSchema,
  metricsUrl: z.url().optional(),
  healthUrl: z.url().optional(),
  component: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).default({}),
});
export type ScrapeTarget = z.infer<typeof scrapeTargetSchema>;

/** A JSON array inline, or `@/path/to/targets.json`. */
const targetsSchema = z
  .string()
  .default('[]')
  .transform((raw, context) => {
    try {
      const text = raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw;
      return JSON.parse(text) as unknown;
    } catch (error) {
      context.addIssue({ code: 'custom', message: `not readable JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(z.array(scrapeTargetSchema));

export const monitorConfig = {
  ...configurationFileConfig,
  MAPEK_MONITOR_TARGETS: {
    schema: targetsSchema,
    description: 'targets to scrape and probe: JSON array or @file (beside the configuration file’s, which win on a name both declare)',
  },
  MAPEK_MONITOR_RULES_FILE: { schema: env.optionalString(), description: 'threshold rules JSON file (default: built-in rules)' },
  MAPEK_SCRAPE_INTERVAL_MS: { schema: env.integer(1000, 100, 3_600_000), description: 'scrape and probe interval' },
  MAPEK_MONITOR_SPREAD_SCRAPES: {
    // On by default since 2026-12-06: at 1,000 targets it took ~40 MB and a fifth of the CPU per
    // target off the monitor, a burst of 50 faults went through faster and the loop's p99 was
    // within the spread of all at once (docs/reports/load.md §17).
    schema: env.boolean(true),
    description:
      'each target observed at its own offset in the interval, from its name’s hash (false: every target at the start of each interval, in one burst)',
  },
  MAPEK_MONITOR_SCRAPE_TIMEOUT_MS: { schema: env.integer(2000, 50, 60_000), description: 'timeout of one scrape or probe' },
  MAPEK_MONITOR_PROBE_FAILURES: { schema: env.integer(3, 1, 100), description: 'consecutive probe failures before a symptom' },
  MAPEK_MONITOR_BATCH_PARTITIONS: {
    schema: env.integer(8, 1, 1024),
    description: 'partitions the targets are spread over: each partition’s scrapes of a round go out as one signed sample batch',
  },
  MAPEK_MONITOR_BATCH_MAX_SAMPLES: {
    schema: env.integer(4000, 1, 50_000),
    description: 'a sample batch is sent once it holds this many samples (keeps it well below the NATS payload limit)',
  },
  MAPEK_MONITOR_BATCH_LINGER_MS: {
    // With MAPEK_MONITOR_SPREAD_SCRAPES, scrapes come a few at a time: at 1,000 targets 250 ms
    // gathers ~30 per batch of a partition, 50 ms only ~6 (four times the signatures).
    schema: z.coerce.number().int('must be an integer').min(0).max(1000).optional(),
    description:
      'a sample batch is sent at the latest this long after its first scrape joined it (default 250 with the scrapes spread, 50 without; at most a quarter of the interval)',
  },
} satisfies ConfigSpec;

/** The batch linger: MAPEK_MONITOR_BATCH_LINGER_MS, else 250 ms with the scrapes spread and 50 without; at most a quarter of the interval. */
export function batchLingerMs(config: {
  MAPEK_MONITOR_BATCH_LINGER_MS?: number | undefined;
  MAPEK_MONITOR_SPREAD_SCRAPES: boolean;
  MAPEK_SCRAPE_INTERVAL_MS: number;
}): number {
  const linger = config.MAPEK_MONITOR_BATCH_LINGER_MS ?? (config.MAPEK_MONITOR_SPREAD_SCRAPES ? 250 : 50);
  return Math.min(linger, config.MAPEK_SCRAPE_INTERVAL_MS / 4);
}
