import { z } from 'zod';
import { severitySchema } from './events/common.schema.js';

/**
 * Threshold rules: the one definition the monitor applies to what it scrapes and an embedded
 * agent applies to its own gauges (it pushes a crossing the moment it happens), so both raise the
 * same symptom for the same reading. The rules file (`MAPEK_MONITOR_RULES_FILE`,
 * `MAPEK_AGENT_RULES_FILE`) is `{"rules": [ThresholdRule, …]}`.
 */
export const comparisonSchema = z.enum(['>', '>=', '<', '<=']);
export type Comparison = z.infer<typeof comparisonSchema>;

export const thresholdRuleSchema = z.strictObject({
  name: z.string().min(1),
  metric: z.string().min(1),
  /** Only samples whose labels include these. */
  match: z.record(z.string(), z.string()).default({}),
  op: comparisonSchema.default('>'),
  threshold: z.number(),
  severity: severitySchema,
  description: z.string().min(1),
  /**
   * How long the rule must stay broken before a reading is a symptom, as Prometheus' `for`: a
   * reading that breaks it for less (the CPU a service burns while it starts, or while it
   * allocates for a leak whose memory then crosses its own rule) raises nothing. 0: at once.
   */
  forMs: z.number().int().nonnegative().max(86_400_000).default(0),
});
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;

export const ruleFileSchema = z.strictObject({ rules: z.array(thresholdRuleSchema).min(1) });

const MB = 1024 * 1024;

/** How long the built-in CPU rule must stay broken. */
export const CPU_RULE_FOR_MS = 5000;

/**
 * Defaults from the reference self-healing server (002): memory 400 MB, CPU 75 %, connections 80,
 * request latency 3000 ms, error rate 0.1 — on the gauges libs/agent exposes. CPU must stay above
 * 75 % for {@link CPU_RULE_FOR_MS}: a service that starts, or allocates in a burst, is busy for a
 * second or two, and that is no CPU overload (nor should it rank before the leak that caused it).
 */
export const defaultThresholdRules: readonly ThresholdRule[] = [
  {
    name: 'memory',
    metric: 'process_resident_memory_bytes',
    match: {},
    op: '>',
    threshold: 400 * MB,
    severity: 'critical',
    description: 'resident memory above 400 MB',
    forMs: 0,
  },
  {
    name: 'cpu',
    metric: 'mapek_agent_cpu_percent',
    match: {},
    op: '>',
    threshold: 75,
    severity: 'warning',
    description: 'CPU above 75 % for 5 s',
    forMs: CPU_RULE_FOR_MS,
  },
  {
    name: 'connections',
    metric: 'mapek_agent_connections_active',
    match: {},
    op: '>',
    threshold: 80,
    severity: 'warning',
    description: 'more than 80 active connections',
    forMs: 0,
  },
  {
    name: 'latency',
    metric: 'mapek_agent_request_latency_p95_seconds',
    match: {},
    op: '>',
    threshold: 3,
    severity: 'warning',
    description: 'p95 request latency above 3000 ms',
    forMs: 0,
  },
  {
    name: 'error-rate',
    metric: 'mapek_agent_error_ratio',
    match: {},
    op: '>',
    threshold: 0.1,
    severity: 'critical',
    description: 'error rate above 0.1',
    forMs: 0,
  },
];

/** True when `value` breaks the rule's comparison. NaN never does. */
export function breaksThreshold(op: Comparison, value: number, threshold: number): boolean {
  if (Number.isNaN(value)) return false;
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

/** True when every label the rule matches on has that value in `labels`. */
export function matchesRuleLabels(rule: Pick<ThresholdRule, 'match'>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(rule.match).every(([key, value]) => labels[key] === value);
}
