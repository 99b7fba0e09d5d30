import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { severitySchema, type Sample, type Severity } from '@mapek/contracts';

export const comparisonSchema = z.enum(['>', '>=', '<', '<=']);

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
export const defaultRules: readonly ThresholdRule[] = [
  { name: 'memory', metric: 'process_resident_memory_bytes', match: {}, op: '>', threshold: 400 * MB, severity: 'critical', description: 'resident memory above 400 MB' },
  { name: 'cpu', metric: 'mapek_agent_cpu_percent', match: {}, op: '>', threshold: 75, severity: 'warning', description: 'CPU above 75 %' },
  { name: 'connections', metric: 'mapek_agent_connections_active', match: {}, op: '>', threshold: 80, severity: 'warning', description: 'more than 80 active connections' },
  { name: 'latency', metric: 'mapek_agent_request_latency_p95_seconds', match: {}, op: '>', threshold: 3, severity: 'warning', description: 'p95 request latency above 3000 ms' },
  { name: 'error-rate', metric: 'mapek_agent_error_ratio', match: {}, op: '>', threshold: 0.1, severity: 'critical', description: 'error rate above 0.1' },
];

export function loadRules(path: string | undefined): ThresholdRule[] {
  if (!path) return [...defaultRules];
  const parsed = ruleFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`rules file ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data.rules;
}

export interface Violation {
  readonly rule: ThresholdRule;
  readonly sample: Sample;
  readonly severity: Severity;
}

function breaks(op: ThresholdRule['op'], value: number, threshold: number): boolean {
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

function matches(sample: Sample, match: Record<string, string>): boolean {
  return Object.entries(match).every(([key, value]) => sample.labels[key] === value);
}

/** Every (rule, sample) pair where the reading breaks the rule. NaN never violates. */
export function evaluateRules(rules: readonly ThresholdRule[], samples: readonly Sample[]): Violation[] {
  const violations: Violation[] = [];
  for (const rule of rules) {
    for (const sample of samples) {
      if (sample.metric !== rule.metric || Number.isNaN(sample.value) || !matches(sample, rule.match)) continue;
      if (breaks(rule.op, sample.value, rule.threshold)) violations.push({ rule, sample, severity: rule.severity });
    }
  }
  return violations;
}
