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
});
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;

export const ruleFileSchema = z.strictObject({ rules: z.array(thresholdRuleSchema).min(1) });

const MB = 1024 * 1024;

/**
 * Defaults from the reference self-healing server (002): memory 400 MB, CPU 75 %, connections 80,
 * request latency 3000 ms, error rate 0.1 — on the gauges libs/agent exposes.
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
  },
  { name: 'cpu', metric: 'mapek_agent_cpu_percent', match: {}, op: '>', threshold: 75, severity: 'warning', description: 'CPU above 75 %' },
  {
    name: 'connections',
    metric: 'mapek_agent_connections_active',
    match: {},
    op: '>',
    threshold: 80,
    severity: 'warning',
    description: 'more than 80 active connections',
  },
  {
    name: 'latency',
    metric: 'mapek_agent_request_latency_p95_seconds',
    match: {},
    op: '>',
    threshold: 3,
    severity: 'warning',
    description: 'p95 request latency above 3000 ms',
  },
  {
    name: 'error-rate',
    metric: 'mapek_agent_error_ratio',
    match: {},
    op: '>',
    threshold: 0.1,
    severity: 'critical',
    description: 'error rate above 0.1',
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
